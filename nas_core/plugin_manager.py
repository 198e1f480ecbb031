"""Finding, loading and registering plugins.

Only the plugins named with ``--plugin`` are imported, each entry point on its own, so one broken
plugin never takes down a run that does not use it. The core's essential built-ins (catalog of
datasets and spaces, budget, training options, failure recording) are registered with them. The
run's own estimator is not a plugin's choice: the session registers it once every plugin is
configured (:mod:`nas_core.estimators`).
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
        self.hooks = Hooks(self._pm)
        self.loaded: dict[str, PluginInfo] = {}
        self._modules: dict[str, ModuleType] = {}
        self._owner: dict[str, str] = {}

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
        """Import and register the named plugins (entry-point names, or dotted module paths),
        then the core's essentials."""
        installed = installed_plugins()
        for name in names:
            if name in self.loaded:
                continue
            ep = installed.get(name)
            if ep is None and "." not in name:
                choices = ", ".join(sorted(installed)) or "none"
                raise PluginChoiceError(f"unknown plugin '{name}' (installed: {choices})")
            module, info = import_plugin(name, ep)
            self.register(module, name, owner=name)
            self.loaded[name] = info
            self._modules[name] = module
        for name, module_path in ESSENTIALS:
            if name not in self._modules:
                module = importlib.import_module(module_path)
                self.register(module, name, owner="core")
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
            if name not in stateful:
                raise PluginError(f"the study holds state for '{name}', which this run did not register")
            stateful[name].load_state_dict(state)
