"""Finding, loading and registering plugins.

Only the plugins named with ``--plugin`` are imported, each entry point on its own, so one broken
plugin never takes down a run that does not use it. A plugin module may name the plugins it builds
on in ``NAS_PLUGINS`` (entry-point names, like pytest's ``pytest_plugins``): they are loaded with
it, before it, each once however many plugins require it, so a space or an option set has one
owner that declares it once. The core's essential built-ins (catalog of datasets and spaces,
budget, training options, failure recording) are registered with them. The run's own estimator
is not a plugin's choice: the session registers it once every plugin is configured
(:mod:`nas_core.estimators`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy

from nas_core import hookspecs
from nas_core.config import Config
from nas_core.errors import ConfigError, PluginChoiceError, PluginError
from nas_core.hooks import Hooks
from nas_core.spaces.base import SearchSpace

GROUP = "nas.plugins"
ESSENTIALS: tuple[tuple[str, str], ...] = (
    ("core.catalog", "nas_core.builtin.catalog"),
    ("core.budget", "nas_core.builtin.budget"),
    ("core.train", "nas_core.builtin.train"),
    ("core.failures", "nas_core.builtin.failures"),
)
REQUIREMENTS = "NAS_PLUGINS"
HOOK_NAMES = tuple(name for name in dir(hookspecs) if name.startswith("nas_"))


@dataclass(frozen=True)
class PluginInfo:
    name: str
    distribution: str
    version: str
    module: str


def installed_plugins() -> dict[str, EntryPoint]:
    """Every entry point of the ``nas.plugins`` group, by name (first installed wins)."""
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return found


def describe(name: str, ep: EntryPoint) -> PluginInfo:
    dist = ep.dist
    return PluginInfo(
        name, dist.name if dist else "unknown", dist.version if dist else "unknown", ep.value
    )


def import_plugin(name: str, ep: EntryPoint | None) -> tuple[ModuleType, PluginInfo]:
    """Import one plugin; any failure becomes a one-line PluginError naming its distribution."""
    if ep is not None:
        info = describe(name, ep)
        target = f"distribution {info.distribution} {info.version}"
    else:  # a dotted module path, like pytest's -p: handy while developing a plugin
        info = PluginInfo(name, "(module)", "", name)
        target = f"module {name}"
    try:
        module = ep.load() if ep is not None else importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - any import-time failure is reported the same way
        message = " ".join(str(exc).split())
        raise PluginError(
            f"plugin '{name}' ({target}) failed to import: {type(exc).__name__}: {message}"
        ) from exc
    return module, info


def requirements(name: str, module: ModuleType) -> tuple[str, ...]:
    """The plugins a plugin module requires (its ``NAS_PLUGINS``), checked to be names."""
    required = getattr(module, REQUIREMENTS, ())
    if isinstance(required, str) or not all(isinstance(r, str) and r for r in required):
        raise PluginError(f"plugin '{name}': {REQUIREMENTS} must be a tuple of plugin names, got {required!r}")
    return tuple(required)


def implemented_hooks(module: ModuleType) -> list[str]:
    """Hooks a plugin module implements, itself or through the classes it defines."""
    marker = hookspecs.PROJECT + "_impl"
    found = set()
    for obj in vars(module).values():
        if callable(obj) and hasattr(obj, marker):
            found.add(obj.__name__)
        elif isinstance(obj, type) and obj.__module__ == module.__name__:
            found.update(name for name, member in vars(obj).items() if hasattr(member, marker))
    return [name for name in HOOK_NAMES if name in found]


class PluginManager:
    def __init__(self) -> None:
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._owner: dict[str, str] = {}
        self.hooks = Hooks(self._pm, self._owner)
        self.loaded: dict[str, PluginInfo] = {}
        self.requires: dict[str, tuple[str, ...]] = {}
        self._modules: dict[str, ModuleType] = {}

    def register(self, plugin: object, name: str, owner: str) -> None:
        if self._pm.get_plugin(name) is not None:
            raise PluginError(f"plugin '{owner}' registers '{name}' twice")
        try:
            self._pm.register(plugin, name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            raise PluginError(f"plugin '{owner}' does not fit the hooks: {' '.join(str(exc).split())}") from exc
        self._owner[name] = owner

    def get(self, name: str) -> object | None:
        """The object registered as ``name`` (a plugin's own objects: ``<plugin>.<Class>``)."""
        return self._pm.get_plugin(name)

    def load(self, names: Iterable[str]) -> None:
        """Import and register the named plugins (entry-point names, or dotted module paths), each
        after the plugins it requires, then the core's essentials."""
        installed = installed_plugins()
        for name in names:
            self._load(name, installed, ())
        for name, module_path in ESSENTIALS:
            if name not in self._modules:
                module = importlib.import_module(module_path)
                self.register(module, name, owner="core")
                self._modules[name] = module

    def _load(self, name: str, installed: Mapping[str, EntryPoint], chain: tuple[str, ...]) -> None:
        """Load ``name`` and, first, its requirements; ``chain`` is who required it, outermost first."""
        if name in chain:
            raise PluginError(f"plugins require each other in a cycle: {' -> '.join((*chain[chain.index(name):], name))}")
        if name in self.loaded:
            return
        ep = installed.get(name)
        if ep is None and "." not in name:
            choices = ", ".join(sorted(installed)) or "none"
            if not chain:
                raise PluginChoiceError(f"unknown plugin '{name}' (installed: {choices})")
            raise PluginError(f"plugin '{chain[-1]}' requires '{name}', which is not installed (installed: {choices})")
        module, info = import_plugin(name, ep)
        required = requirements(name, module)
        for requirement in required:
            self._load(requirement, installed, (*chain, name))
        self.register(module, name, owner=name)
        self.loaded[name] = info
        self.requires[name] = required
        self._modules[name] = module

    def configure(self, config: Config) -> None:
        """Configure every plugin, one at a time."""
        for name, module in list(self._modules.items()):
            config.plugin = name
            self.hooks.configure(config, module)
        config.plugin = ""
        try:
            self._pm.check_pending()
        except pluggy.PluginValidationError as exc:
            owner = self._owner.get(self._pm.get_name(exc.plugin) or "", "?")
            raise PluginError(f"plugin '{owner}' implements an unknown hook: {' '.join(str(exc).split())}") from exc

    def check(self, space: SearchSpace) -> str:
        """Exactly one strategy, and every capability a plugin needs; returns the strategy's owner."""
        strategies = sorted(
            {
                self._owner[impl.plugin_name]
                for impl in self._pm.hook.nas_propose.get_hookimpls()
                if not (impl.wrapper or impl.hookwrapper)
            }
        )
        if len(strategies) > 1:
            raise PluginChoiceError(
                f"two search strategies: '{strategies[0]}' and '{strategies[1]}' both implement "
                "nas_propose; name only one of them with --plugin"
            )
        if not strategies:
            strategies_hint = ", ".join(sorted(installed_plugins())) or "none installed"
            raise ConfigError(f"no search strategy: name one with --plugin (installed plugins: {strategies_hint})")
        estimators = [
            impl
            for impl in self._pm.hook.nas_estimate.get_hookimpls()
            if not (impl.wrapper or impl.hookwrapper)
        ]
        if not estimators:
            raise ConfigError("nothing estimates the candidates: give --benchmark for a table, or --dataset to train")
        for name, plugin in self._pm.list_name_plugin():
            needs = getattr(plugin, "NAS_REQUIRES", None)
            if needs:
                space.require(frozenset(needs), who=f"plugin '{self._owner[name]}'")
        return strategies[0]

    def answering_estimators(self) -> list[str]:
        """Plugins whose own estimator may evaluate candidates in place of the run's: plain
        ``nas_estimate`` implementations (not wrappers, not the ``tryfirst`` filters and
        predictors, which answer with predictions)."""
        owners = [
            self._owner[impl.plugin_name]
            for impl in self._pm.hook.nas_estimate.get_hookimpls()
            if not (impl.wrapper or impl.hookwrapper or impl.tryfirst)
        ]
        return [owner for owner in dict.fromkeys(owners) if owner != "core"]

    def _stateful(self) -> dict[str, Any]:
        return {
            name: plugin
            for name, plugin in self._pm.list_name_plugin()
            if not isinstance(plugin, ModuleType)
            and callable(getattr(plugin, "state_dict", None))
            and callable(getattr(plugin, "load_state_dict", None))
        }

    def state_dicts(self) -> dict[str, Any]:
        return {name: plugin.state_dict() for name, plugin in self._stateful().items()}

    def load_state_dicts(self, states: Mapping[str, Any]) -> None:
        stateful = self._stateful()
        for name, state in states.items():
            target = name if name in stateful else self._moved(name, stateful)
            if target is None:
                raise PluginError(f"the study holds state for '{name}', which this run did not register")
            if target != name and target in states:
                continue  # resumed since the move: the state under the new name is the newer one
            stateful[target].load_state_dict(state)

    def _moved(self, name: str, stateful: Mapping[str, Any]) -> str | None:
        """Where state recorded as ``<plugin>.<object>`` goes when the object has since moved into a
        plugin that ``<plugin>`` requires (GPNAS's filter, once ``gpnas.PredictorFilter``, now
        belongs to ``gpnas-predictor``): the one such object, else None."""
        for plugin in self.loaded:
            if name.startswith(plugin + "."):
                suffix = name[len(plugin) + 1 :]
                found = [f"{r}.{suffix}" for r in self._required_by(plugin) if f"{r}.{suffix}" in stateful]
                if len(found) == 1:
                    return found[0]
        return None

    def _required_by(self, plugin: str) -> list[str]:
        """Every plugin ``plugin`` requires, directly or through others."""
        found: list[str] = []
        pending = list(self.requires.get(plugin, ()))
        while pending:
            name = pending.pop(0)
            if name not in found:
                found.append(name)
                pending.extend(self.requires.get(name, ()))
        return found
