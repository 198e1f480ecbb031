"""Settings declared once, as frozen dataclasses whose fields make their options and checks.

A plugin's settings used to be written three times: the ``--flags`` in ``nas_addoption``, the
reading of every flag into a settings object, and the checks. Here a field says all of it::

    @dataclass(frozen=True)
    class PopulationSettings(Settings, prefix="evolution"):
        population: int = setting(10, "population size", at_least=2)   # --evolution-population
        sample_size: int = setting(3, "tournament size", at_least=1, flag="--evolution-tournament")
        cache: dict = field(default_factory=dict)                       # not an option

    declare(group, PopulationSettings)                     # in nas_addoption
    from_options(PopulationSettings, config.options)       # in nas_configure: checked and frozen

A bad value, given as an option or to the constructor, is a one-line ConfigError naming the flag:
``--evolution-population must be at least 2, got 1``. A field whose type is itself a
:class:`Settings` class is a nested group: its flags are declared and read with the outer ones.
Rules that relate fields belong in ``__post_init__`` (call ``super().__post_init__()`` first).
The option's type is the field's (int, float, str or bool).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from nas_core.errors import ConfigError
from nas_core.options import OptionGroup, option_name

_RULE = "nas_setting"
S = TypeVar("S", bound="Settings")


@dataclass(frozen=True)
class Rule:
    """What a field declares beyond its default: its help, flag and check."""

    help: str
    flag: str | None  # None: ``--<prefix>-<field-name>``
    choices: tuple[str, ...] | None
    check: Callable[[Any], bool] | None
    expect: str  # what ``check`` accepts, said after "must be"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bounds(at_least: float | None, above: float | None, at_most: float | None, below: float | None) -> tuple[Callable[[Any], bool], str] | None:
    """A check and its wording for lower (inclusive ``at_least`` or strict ``above``) and upper bounds."""
    low = at_least if at_least is not None else above
    high = at_most if at_most is not None else below
    if low is None and high is None:
        return None

    def check(value: Any) -> bool:
        return (
            (at_least is None or value >= at_least)
            and (above is None or value > above)
            and (at_most is None or value <= at_most)
            and (below is None or value < below)
        )

    if low is not None and high is not None:
        opening, closing = "[" if at_least is not None else "(", "]" if at_most is not None else ")"
        return check, f"in {opening}{_number(low)}, {_number(high)}{closing}"
    if at_least is not None:
        return check, f"at least {_number(at_least)}"
    if above is not None:
        return check, "positive" if above == 0 else f"greater than {_number(above)}"
    return check, f"at most {_number(at_most)}" if at_most is not None else f"less than {_number(below)}"


def setting(
    default: Any,
    help: str,
    *,
    at_least: float | None = None,
    above: float | None = None,
    at_most: float | None = None,
    below: float | None = None,
    choices: tuple[str, ...] | None = None,
    check: Callable[[Any], bool] | None = None,
    expect: str = "",
    flag: str | None = None,
) -> Any:
    """A field that is also an option: its default, help text and what values it accepts.

    Give bounds (``at_least``/``above`` below, ``at_most``/``below`` above), ``choices``, or a
    ``check`` with ``expect``, the words that finish "must be ..." (e.g. "auto or a count of at
    least 3"). ``flag`` overrides the flag made from the class's prefix and the field's name.
    """
    if sum(x is not None for x in (at_least, above)) > 1 or sum(x is not None for x in (at_most, below)) > 1:
        raise TypeError("give at most one lower bound (at_least or above) and one upper bound (at_most or below)")
    bounds = _bounds(at_least, above, at_most, below)
    if sum(x is not None for x in (bounds, choices, check)) > 1:
        raise TypeError("give bounds, choices or a check, not several")
    if check is not None and not expect:
        raise TypeError("a check needs the words for what it expects (expect=...)")
    if bounds is not None:
        check, expect = bounds
    elif choices is not None:
        allowed = tuple(choices)
        check, expect = (lambda value: value in allowed), f"one of {', '.join(allowed)}"
    rule = Rule(help, flag, tuple(choices) if choices else None, check, expect)
    return dataclasses.field(default=default, metadata={_RULE: rule})


class Settings:
    """Base of settings dataclasses; ``class X(Settings, prefix="name")`` names their flags."""

    prefix: ClassVar[str] = ""

    def __init_subclass__(cls, prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix:
            cls.prefix = prefix

    def __post_init__(self) -> None:
        for item in _items(type(self)):
            if item.rule is not None and item.rule.check is not None:
                value = getattr(self, item.name)
                if not item.rule.check(value):
                    raise ConfigError(f"{item.flag} must be {item.rule.expect}, got {value!r}")


@dataclass(frozen=True)
class _Item:
    name: str
    type: type
    flag: str
    rule: Rule | None  # None: a nested Settings class, in ``type``
    default: Any


def _items(cls: type[Settings]) -> Iterator[_Item]:
    """The fields of ``cls`` that are options or nested settings, in declaration order."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind = hints[f.name]
        rule = f.metadata.get(_RULE)
        flag = (rule.flag if rule else None) or f"--{cls.prefix}-{f.name.replace('_', '-')}"
        if rule is not None:
            yield _Item(f.name, kind, flag, rule, f.default)
        elif isinstance(kind, type) and issubclass(kind, Settings):
            yield _Item(f.name, kind, flag, None, None)


def declare(group: OptionGroup, cls: type[Settings]) -> None:
    """Declare the options of ``cls`` (and of its nested settings) in ``nas_addoption``."""
    for item in _items(cls):
        if item.rule is None:
            declare(group, item.type)
        else:
            group.addoption(item.flag, type=item.type, default=item.default, help=item.rule.help, choices=item.rule.choices)


def from_options(cls: type[S], options: Mapping[str, Any]) -> S:
    """A checked instance of ``cls`` from option values by name (``config.options``)."""
    values: dict[str, Any] = {}
    for item in _items(cls):
        if item.rule is None:
            values[item.name] = from_options(item.type, options)
            continue
        name = option_name(item.flag)
        if name not in options:
            raise ConfigError(f"no option {item.flag} was declared by the loaded plugins")
        values[item.name] = options[name]
    return cls(**values)
