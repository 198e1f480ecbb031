"""Plugin options: declared in ``nas_addoption``, given on the command line or in a stored run.

The core does not depend on click: plugins declare :class:`Option` values here, the CLI turns them
into click options, and runs started from Python or resumed from a study pass plain values that
:meth:`OptionGroup.resolve` checks and converts the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nas_core.errors import ConfigError, PluginError

_TYPES: dict[str, type] = {"int": int, "float": float, "str": str, "bool": bool}


def option_name(flag: str) -> str:
    """``--train-lr`` (or ``train-lr``) as the name its value goes by: ``train_lr``."""
    return flag.lstrip("-").replace("-", "_")


@dataclass(frozen=True)
class Option:
    """One ``--flag`` a plugin accepts; ``name`` is the flag as a Python identifier."""

    flag: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] | None = None

    @property
    def name(self) -> str:
        return option_name(self.flag)

    def convert(self, value: Any) -> Any:
        """Check and convert a value given outside the CLI (JSON, Python); raises ConfigError."""
        if value is None:
            return None
        try:
            if self.type is bool and isinstance(value, str):
                lowered = value.lower()
                if lowered not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                converted: Any = lowered in ("true", "1", "yes")
            elif self.type is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            else:
                converted = self.type(value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"invalid value for {self.flag}: {value!r} is not a valid {self.type.__name__}"
            ) from None
        if self.choices is not None and converted not in self.choices:
            raise ConfigError(
                f"invalid value for {self.flag}: {converted!r} (choose from {', '.join(self.choices)})"
            )
        return converted


class OptionGroup:
    """The options of the loaded plugins, filled by the ``nas_addoption`` hook."""

    def __init__(self) -> None:
        self._options: dict[str, Option] = {}

    def addoption(
        self,
        flag: str,
        *,
        type: type = str,
        default: Any = None,
        help: str = "",
        choices: tuple[str, ...] | list[str] | None = None,
    ) -> None:
        """Declare ``--plugin-name-option``; prefix flags with the plugin's name to stay unique."""
        if not flag.startswith("--") or len(flag) < 3 or " " in flag:
            raise PluginError(f"option flags look like '--name-option', got {flag!r}")
        if type not in _TYPES.values():
            raise PluginError(f"option {flag}: type must be int, float, str or bool, got {type!r}")
        option = Option(flag, type, default, help, tuple(choices) if choices else None)
        if option.name in self._options:
            raise PluginError(f"option {flag} is declared by two plugins")
        if default is not None:
            option.convert(default)
        self._options[option.name] = option

    def __iter__(self) -> Iterator[Option]:
        return iter(self._options.values())

    def __contains__(self, name: str) -> bool:
        return name in self._options

    def resolve(self, given: Mapping[str, Any], *, ignore_unknown: bool = False) -> dict[str, Any]:
        """Defaults overlaid with ``given`` (keys are option names or flags), checked and converted."""
        values = {o.name: o.default for o in self}
        for key, value in given.items():
            name = option_name(key)
            if name not in self._options:
                if ignore_unknown:
                    continue
                known = ", ".join(o.flag for o in self) or "none"
                raise ConfigError(f"unknown option --{name.replace('_', '-')} (the loaded plugins accept: {known})")
            values[name] = self._options[name].convert(value)
        return values
