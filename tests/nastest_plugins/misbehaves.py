"""A random-search strategy that breaks one hook on request, to show how the core takes it.

``NASTEST_RAISES_IN=<hook>`` makes that hook raise; ``NASTEST_WRONG_TYPE_IN=<hook>`` makes it
return something of the wrong type. An environment variable rather than an option, because
``nas_register`` and ``nas_addoption`` run before any option is read. Every other hook behaves:
it passes (returns None) or, for ``nas_propose``, samples the space.
"""

import os

from nas_core import Candidate, hookimpl

RAISES_IN = os.environ.get("NASTEST_RAISES_IN", "")
WRONG_TYPE_IN = os.environ.get("NASTEST_WRONG_TYPE_IN", "")
WRONG = {
    "nas_propose": ["a string, not a Candidate"],
    "nas_sample": ["a string, not an Architecture"],
    "nas_estimate": {"valid_acc": 90.0},
    "nas_budget": 0.5,
    "nas_planned_spend": 12.0,
    "nas_answer": "a string, not an Architecture",
}


def misbehave(hook: str):
    """Raise if ``hook`` is to raise; the wrong value if it is to return one; else None."""
    if hook == RAISES_IN:
        raise RuntimeError(f"{hook} broke on purpose")
    return WRONG[hook] if hook == WRONG_TYPE_IN else None


class Misbehaving:
    def __init__(self, rng):
        self.rng = rng

    @hookimpl
    def nas_planned_spend(self, config):
        return misbehave("nas_planned_spend")

    @hookimpl
    def nas_budget(self, study):
        return misbehave("nas_budget")

    @hookimpl
    def nas_propose(self, study, space, n):
        return misbehave("nas_propose") or [Candidate(arch, origin="misbehaves") for arch in study.sample(self.rng, n)]

    @hookimpl
    def nas_sample(self, space, rng, n):
        return misbehave("nas_sample")

    @hookimpl(tryfirst=True)
    def nas_estimate(self, candidate, study):
        return misbehave("nas_estimate")

    @hookimpl
    def nas_update(self, candidate, result, study):
        misbehave("nas_update")

    @hookimpl
    def nas_answer(self, study, space):
        return misbehave("nas_answer")


@hookimpl
def nas_register(registry):
    if RAISES_IN == "nas_register":
        raise RuntimeError("nas_register broke on purpose")


@hookimpl
def nas_addoption(group):
    if RAISES_IN == "nas_addoption":
        raise RuntimeError("nas_addoption broke on purpose")


@hookimpl
def nas_configure(config):
    if RAISES_IN == "nas_configure":
        raise RuntimeError("nas_configure broke on purpose")
    config.register(Misbehaving(config.rng("misbehaves")))
