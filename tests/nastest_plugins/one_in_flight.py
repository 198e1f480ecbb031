"""A random search that cannot have two proposals in flight: the flaw GPNAS had under --workers
(``ask() twice without tell()``), which only a run on workers shows."""

from nas_core import Candidate, hookimpl


class OneInFlight:
    def __init__(self, rng):
        self.rng = rng
        self.outstanding = False

    @hookimpl
    def nas_propose(self, study, space, n):
        if self.outstanding:
            raise RuntimeError("one-in-flight: asked twice without an answer")
        self.outstanding = True
        return [Candidate(space.sample(self.rng))]

    @hookimpl
    def nas_update(self, candidate, result, study):
        self.outstanding = False


@hookimpl
def nas_configure(config):
    config.register(OneInFlight(config.rng("one-in-flight")))
