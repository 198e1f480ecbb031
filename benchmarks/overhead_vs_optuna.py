"""Framework overhead per trial: nas vs Optuna, random search on the NB201 table, SQLite storage.

Both run the same number of trials of random search over the 6 NB201 edges and answer each with
the same table lookup; both store every trial in their own SQLite file. Overhead per trial is
(total search time - time spent in the table lookups) / trials. nas also de-duplicates: a
proposal whose architecture (up to isomorphism) was already evaluated is answered from the study
and a new one is drawn, so nas handles several proposals per recorded trial; that work is
counted in its overhead.

    NAS_DATA_DIR=../shared/data python benchmarks/overhead_vs_optuna.py --trials 5000
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import tempfile
import time
from pathlib import Path

from nas_core.tables.loader import load_benchmark
from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.session import open_session
from nas_core.spaces.nb201 import EDGES, OPS, NB201Cell

RESULTS = Path(__file__).resolve().parent / "results"


def time_lookups(benchmark, archs: list[NB201Cell]) -> float:
    started = time.perf_counter()
    for arch in archs:
        benchmark.query(arch)
    return time.perf_counter() - started


def run_nas(trials: int, folder: Path, data_dir: str) -> dict:
    spec = RunSpec(("random",), Budget(trials=trials), seed=0, benchmark="nb201", dataset="cifar10", data_dir=data_dir)
    session = open_session(spec, folder / "nas.db")
    started = time.perf_counter()
    session.run()
    total = time.perf_counter() - started
    archs = [t.candidate.arch for t in session.study.trials]
    proposals = len(archs) + session.study.duplicates
    session.close()
    lookups = time_lookups(session.benchmark, archs)
    return {"trials": len(archs), "proposals": proposals, "total_s": total, "lookup_s": lookups,
            "overhead_ms_per_trial": 1000 * (total - lookups) / len(archs)}  # fmt: skip


def run_optuna(trials: int, folder: Path, benchmark) -> dict:
    import optuna

    optuna.logging.set_verbosity(logging.WARNING)
    study = optuna.create_study(
        storage=f"sqlite:///{folder / 'optuna.db'}",
        sampler=optuna.samplers.RandomSampler(seed=0),
        direction="maximize",
    )
    archs: list[NB201Cell] = []

    def objective(trial: optuna.Trial) -> float:
        arch = NB201Cell(tuple(trial.suggest_categorical(f"edge_{i}_{j}", OPS) for i, j in EDGES))
        archs.append(arch)
        return benchmark.query(arch).objective

    started = time.perf_counter()
    study.optimize(objective, n_trials=trials)
    total = time.perf_counter() - started
    lookups = time_lookups(benchmark, archs)
    return {"trials": len(archs), "proposals": len(archs), "total_s": total, "lookup_s": lookups,
            "overhead_ms_per_trial": 1000 * (total - lookups) / len(archs), "optuna_version": optuna.__version__}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=5000)
    parser.add_argument("--data-dir", default=os.environ.get("NAS_DATA_DIR"))
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "overhead_vs_optuna.json")
    args = parser.parse_args()
    benchmark = load_benchmark("nb201", "cifar10", args.data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        nas = run_nas(args.trials, Path(tmp), args.data_dir)
        optuna = run_optuna(args.trials, Path(tmp), benchmark)
    report = {
        "command": f"python benchmarks/overhead_vs_optuna.py --trials {args.trials}",
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "nas": nas,
        "optuna": optuna,
        "overhead_ratio_optuna_over_nas": optuna["overhead_ms_per_trial"] / nas["overhead_ms_per_trial"],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
