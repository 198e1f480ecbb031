"""Plugin sets as the comparison commands name them: ``evolution+gpnas-predictor``, or a method
with a label and options of its own, ``milenas=darts --darts-method milenas``.

``nas bench`` and ``nas retrain-bench`` compare several sets under one command line. Options
given once on that line go to every set whose plugins declare them; a set's own options (after
its plugins, inside the quotes) go to that set only, which is how one plugin is compared with
itself under two settings (DARTS first order against MiLeNAS).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nas_core.errors import ConfigError
from nas_core.options import option_name
from nas_core.preparation import collect_options

_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def parse_plugin_set(text: str) -> tuple[str, ...]:
    """``"evolution+gpnas-predictor"`` (or comma-separated) -> the plugins of one set."""
    names = tuple(n.strip() for n in text.replace(",", "+").split("+") if n.strip())
    if not names:
        raise ConfigError(f"empty plugin set {text!r}")
    return names


@dataclass(frozen=True)
class Method:
    """A labelled plugin set with the options given to it alone (converted, by option name)."""

    label: str
    plugins: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def file_stem(self) -> str:
        """The label as a file name's stem: what a study of this method is called."""
        return _FILE_UNSAFE.sub("_", self.label).strip("_") or "method"


def parse_method(text: str) -> Method:
    """``[LABEL=]PLUGINS [--option value | --option=value ...]`` -> a :class:`Method`.

    The options must be the set's plugins' own: the core's (``--train-*``, the spaces') shape
    the networks every method is judged by, so they are given once for all sets.
    """
    label, plugins, rest = _split_method(text)
    given = _option_words(text, rest)
    group = collect_options(plugins)
    core = collect_options(())
    for name in given:
        flag = "--" + name.replace("_", "-")
        if name not in group:
            raise ConfigError(f"plugin set {text!r}: none of {', '.join(plugins)} declares {flag}")
        if name in core:
            raise ConfigError(f"plugin set {text!r}: {flag} applies to every set; give it outside the set")
    resolved = group.resolve(given)
    options = {name: resolved[name] for name in given}
    return Method(label or _default_label(plugins, rest), plugins, options)


def method_plugins(text: str) -> tuple[str, ...]:
    """The plugins of a method as :func:`parse_method` reads it (its options unchecked)."""
    return _split_method(text)[1]


def _split_method(text: str) -> tuple[str, tuple[str, ...], list[str]]:
    """The label (empty if none), the plugins and the option words of a method."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ConfigError(f"cannot read plugin set {text!r}: {exc}") from None
    if not words:
        raise ConfigError(f"empty plugin set {text!r}")
    label, _, plugins = words[0].rpartition("=")
    return label, parse_plugin_set(plugins), words[1:]


def _option_words(text: str, words: Sequence[str]) -> dict[str, str]:
    given: dict[str, str] = {}
    pending = list(words)
    while pending:
        word = pending.pop(0)
        if not word.startswith("--") or len(word) < 3:
            raise ConfigError(f"plugin set {text!r}: expected an option (--name value), got {word!r}")
        flag, has_value, value = word.partition("=")
        if not has_value:
            if not pending or pending[0].startswith("--"):
                raise ConfigError(f"plugin set {text!r}: option {flag} needs a value")
            value = pending.pop(0)
        given[option_name(flag)] = value
    return given


def _default_label(plugins: tuple[str, ...], option_words: Sequence[str]) -> str:
    return " ".join(["+".join(plugins), *option_words])


def options_per_set(sets: Sequence[tuple[str, ...]], options: Mapping[str, Any]) -> list[dict[str, Any]]:
    """For each set, the options (given once for all) that its plugins declare; an option no set
    declares is refused."""
    per_set = []
    claimed: set[str] = set()
    for plugins in sets:
        group = collect_options(plugins)
        mine = {k: v for k, v in options.items() if option_name(k) in group}
        claimed |= {option_name(k) for k in mine}
        per_set.append(mine)
    unknown = sorted(option_name(k) for k in options if option_name(k) not in claimed)
    if unknown:
        raise ConfigError(f"no plugin set accepts --{unknown[0].replace('_', '-')}")
    return per_set
