"""Adds a delay to every estimate, so a test can kill a search in the middle of it.

With ``--slow-hold-at N --slow-gate FILE`` the search also holds before its trial N+1 until FILE
exists: a test that must act while the search runs (interrupt it, start a second writer) does
so at a known point, however loaded the machine, then opens the gate.
"""

import time
from pathlib import Path

from nas_core import hookimpl


@hookimpl
def nas_addoption(group):
    group.addoption("--slow-seconds", type=float, default=0.02, help="sleep per estimate")
    group.addoption("--slow-hold-at", type=int, default=0, help="hold once this many trials are recorded (0: never)")
    group.addoption("--slow-gate", default="", help="the file whose existence releases the hold")


class Delay:
    def __init__(self, seconds, hold_at, gate):
        self.seconds = seconds
        self.hold_at = hold_at
        self.gate = Path(gate) if gate else None

    @hookimpl(wrapper=True)
    def nas_estimate(self, candidate, study):
        if self.hold_at and self.gate is not None:
            while len(study.trials) >= self.hold_at and not self.gate.exists():
                time.sleep(0.02)
        time.sleep(self.seconds)
        return (yield)


@hookimpl
def nas_configure(config):
    config.register(Delay(config.option("slow_seconds"), config.option("slow_hold_at"), config.option("slow_gate")))
