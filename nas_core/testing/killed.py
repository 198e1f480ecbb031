"""A search to be killed: ``python -m nas_core.testing.killed SPEC_JSON STUDY CUT``.

The conformance kit runs this in a process of its own and SIGKILLs it: the search of the run
spec, recorded in STUDY by the session and loop ``nas search`` runs (only the command line is
missing), which prints :data:`CUT_LINE` and then stands still once CUT trials are recorded. The
kit kills it there, with proposals of the strategy still in flight on the workers, which is the
moment a resume has the most to get right. (A kill at a random moment, even inside a write, is
the fault soak's job: ``benchmarks/fault_soak.py``.)
"""

from __future__ import annotations

import json
import sys
import threading

from nas_core.config import RunSpec
from nas_core.session import open_session
from nas_core.types import Trial

CUT_LINE = "cut"


def run_until_cut(spec: RunSpec, storage: str, cut: int) -> None:
    """Search; after the ``cut``-th recorded trial, say so and wait to be killed."""
    session = open_session(spec, storage)

    def on_trial(trial: Trial) -> None:
        if len(session.study.trials) >= cut:
            print(CUT_LINE, flush=True)
            threading.Event().wait()

    session.run(on_trial)  # returns only when the search ended before the cut: the kit fails then


if __name__ == "__main__":
    run_until_cut(RunSpec.from_dict(json.loads(sys.argv[1])), sys.argv[2], int(sys.argv[3]))
