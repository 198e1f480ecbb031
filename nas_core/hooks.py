"""A typed facade over ``pluggy``'s hook relay, so the core never calls a hook untyped.

It also checks what plugins return: a wrong type from a plugin is a PluginError naming the hook
and the plugins that implement it, not an AttributeError three frames later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pluggy

from nas_core.architecture import Architecture
from nas_core.budget import BudgetStatus
from nas_core.errors import PluginError
from nas_core.spend import PlannedSpend
from nas_core.types import Candidate, Result

if TYPE_CHECKING:
    import numpy as np

    from nas_core.config import Config
    from nas_core.options import OptionGroup
    from nas_core.registry import Registry
    from nas_core.spaces.base import SearchSpace
    from nas_core.study import StudyView


class Hooks:
    def __init__(self, pm: pluggy.PluginManager, owners: Mapping[str, str]) -> None:
        """``owners`` maps each registered name to the plugin that registered it (``core`` for the core)."""
        self._pm = pm
        self._relay = pm.hook
        self._owners = owners

    def _wrong_type(self, hook: str, expected: str, got: object) -> PluginError:
        """The error for a hook result of the wrong type, naming the plugins that could have returned it.

        pluggy does not say which implementation returned a value (wrappers may rewrite it), so a
        hook with several plugins names them all.
        """
        plugins = sorted(
            {self._owners.get(impl.plugin_name, impl.plugin_name) for impl in getattr(self._relay, hook).get_hookimpls()}
            - {"core"}
        )
        named = f"plugin '{plugins[0]}'" if len(plugins) == 1 else f"one of the plugins {', '.join(plugins)}"
        return PluginError(f"{hook} must return {expected}, got {type(got).__name__} (from {named})")

    def register(self, registry: Registry) -> None:
        self._relay.nas_register(registry=registry)

    def addoption(self, group: OptionGroup) -> None:
        self._relay.nas_addoption(group=group)

    def configure(self, config: Config, plugin: object) -> None:
        """``nas_configure`` of one plugin only, so the core knows who registers what."""
        others = [p for p in self._pm.get_plugins() if p is not plugin]
        self._pm.subset_hook_caller("nas_configure", remove_plugins=others)(config=config)

    def planned_spend(self, config: Config) -> list[PlannedSpend]:
        spends = [s for s in self._relay.nas_planned_spend(config=config) if s is not None]
        for spend in spends:
            if not isinstance(spend, PlannedSpend):
                raise self._wrong_type("nas_planned_spend", "a PlannedSpend", spend)
        return spends

    def propose(self, study: StudyView, space: SearchSpace, n: int) -> list[Candidate]:
        proposed = self._relay.nas_propose(study=study, space=space, n=n)
        if proposed is None:
            return []
        candidates = list(proposed)
        if len(candidates) > n:
            raise PluginError(f"nas_propose returned {len(candidates)} candidates when asked for at most {n}")
        for candidate in candidates:
            if not isinstance(candidate, Candidate):
                raise self._wrong_type("nas_propose", "Candidate objects", candidate)
        return candidates

    def sample(self, space: SearchSpace, rng: np.random.Generator, n: int) -> list[Architecture]:
        drawn = self._relay.nas_sample(space=space, rng=rng, n=n)
        if drawn is None:
            return [space.sample(rng) for _ in range(n)]
        archs = list(drawn)
        if len(archs) != n:
            raise PluginError(f"nas_sample returned {len(archs)} architectures when asked for {n}")
        for arch in archs:
            if not isinstance(arch, Architecture):
                raise self._wrong_type("nas_sample", "Architecture objects", arch)
        return archs

    def estimate(self, candidate: Candidate, study: StudyView) -> Result:
        result = self._relay.nas_estimate(candidate=candidate, study=study)
        if result is None:
            raise PluginError(
                "no plugin estimated the candidate: give --benchmark for a table, or --dataset to train"
            )
        if not isinstance(result, Result):
            raise self._wrong_type("nas_estimate", "a Result", result)
        return result

    def update(self, candidate: Candidate, result: Result, study: StudyView) -> None:
        self._relay.nas_update(candidate=candidate, result=result, study=study)

    def budget(self, study: StudyView) -> BudgetStatus:
        statuses = [s for s in self._relay.nas_budget(study=study) if s is not None]
        for status in statuses:
            if not isinstance(status, BudgetStatus):
                raise self._wrong_type("nas_budget", "a BudgetStatus", status)
        if not statuses:
            raise PluginError("no plugin answered nas_budget (the core's budget plugin is missing)")
        return min(statuses, key=lambda s: s.remaining)

    def answer(self, study: StudyView, space: SearchSpace) -> Architecture | None:
        arch = self._relay.nas_answer(study=study, space=space)
        if arch is not None:
            if not isinstance(arch, Architecture):
                raise self._wrong_type("nas_answer", "an Architecture", arch)
            space.validate(arch)
        return arch
