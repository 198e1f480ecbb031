"""RS-NAG vs random search and regularized evolution on NB201, under two protocols.

Every seed runs RS-NAG once: ``--dataset-size`` uniformly sampled cells are queried as the NAS
dataset (trials with origin ``nag:dataset``), NAG is trained on them with the paper's settings,
and ``--evaluated`` generated high-accuracy cells are queried. From that one run:

- **paper** protocol (NAS dataset free): the best of the ``--evaluated`` generated cells;
- **honest** protocol (NAS dataset counted): the best of the run's first ``--evaluated`` queries,
  the dataset's included.

``random`` and ``evolution`` (population 10, tournament 3) get ``--evaluated`` queries. "Best" is
the highest observed objective (NB201's noisy single-seed validation accuracy); reported are the
chosen cell's seed-averaged validation and test accuracy, mean and std over seeds, and the mean
per-seed difference to each baseline with its standard error.

    NAS_DATA_DIR=../shared/data nice -n 10 python benchmarks/nag_rsnag.py --seeds 100 --jobs 1

RS-NAG variants take ``--nag-option``, e.g. ``--nag-option nag_rounds=4`` (refits between rounds,
about 3x the GAN time) with ``-o`` naming their own file; ``--first-seed 100`` runs held-out
seeds for choosing a variant without touching the reported seeds 0-99.

Each RS-NAG run trains a GAN (200 epochs, about 20 s on one idle core), so 100 seeds x 3
datasets take about 2 CPU hours; ``--seeds 12 --baseline-seeds 100`` is the short version.

The JSON is rewritten after every run and the benchmark resumes from it: runs already recorded
are skipped, but only when the file was written by the same code (``code_version``, a hash of
``nas_nag``'s sources and this script) with the same settings; otherwise it stops and asks for
``--fresh`` (start over; the old file is in git history), so results of different code are
never mixed.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import statistics
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
DATASETS = ("cifar10", "cifar100", "ImageNet16-120")


def _init() -> None:
    import torch

    warnings.simplefilter("ignore", DeprecationWarning)
    torch.set_num_threads(1)


def _metrics(trial: Any) -> dict[str, float] | None:
    if trial is None:
        return None
    return {"valid": trial.result.metrics["valid_acc"], "test": trial.result.metrics["test_acc"]}


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    import torch

    from nas_core.budget import Budget
    from nas_core.config import RunSpec
    from nas_core.session import open_session
    from nas_nag.outcome import best_of, honest_choice, paper_choice

    method, dataset, seed, evaluated = task["method"], task["dataset"], task["seed"], task["evaluated"]
    if method == "nag":
        size = task["dataset_size"]
        options = {"nag_dataset_size": str(size), "nag_samples": evaluated, "nag_labels": "high-acc", **task["options"]}
        budget = size + evaluated
    else:
        options, budget = {}, evaluated
    spec = RunSpec((method,), Budget(trials=budget), seed, "nb201", dataset, None, options, "cpu", os.environ.get("NAS_DATA_DIR"))
    started = time.perf_counter()
    session = open_session(spec)
    try:
        session.run()
        trials = list(session.study.trials)
        states = session.plugins.state_dicts()
    finally:
        session.close()
    record: dict[str, Any] = {"method": method, "dataset": dataset, "seed": seed, "wall_seconds": time.perf_counter() - started}
    if method == "nag":
        report = torch.load(io.BytesIO(states["nag.model"]["nag"]), weights_only=True)["report"]
        record.update(
            paper=_metrics(paper_choice(trials, evaluated)),
            honest=_metrics(honest_choice(trials, evaluated)),
            best_of_all=_metrics(best_of(trials)),
            generated=sum(t.candidate.origin == "nag:generated" for t in trials),
            gan_seconds=report["seconds"],
        )
    else:
        record["result"] = _metrics(best_of([t for t in trials if t.result.status.consumes_budget][:evaluated]))
    return record


def _stats(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "std": statistics.pstdev(values), "n": len(values)}


def _difference(a: list[float], b: list[float]) -> dict[str, float]:
    diffs = [x - y for x, y in zip(a, b)]
    sem = statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else 0.0
    return {"mean": statistics.fmean(diffs), "sem": sem, "wins": sum(d > 0 for d in diffs), "ties": sum(d == 0 for d in diffs)}


def summarize(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per method: mean/std over all its seeds; per comparison: paired over the seeds both ran."""
    by_seed: dict[str, dict[int, dict[str, float]]] = {}
    for r in records:
        if r["method"] == "nag":
            for protocol in ("paper", "honest"):
                by_seed.setdefault(f"rs-nag ({protocol})", {})[r["seed"]] = r[protocol]
        else:
            by_seed.setdefault(r["method"], {})[r["seed"]] = r["result"]
    summary: dict[str, Any] = {"methods": {}}
    for name, results in by_seed.items():
        summary["methods"][name] = {m: _stats([results[s][m] for s in sorted(results)]) for m in ("valid", "test")}
    for protocol in ("paper", "honest"):
        ours = by_seed.get(f"rs-nag ({protocol})", {})
        for baseline in ("random", "evolution"):
            seeds = sorted(set(ours) & set(by_seed.get(baseline, {})))
            if seeds:
                summary[f"rs-nag ({protocol}) - {baseline}"] = {
                    m: _difference([ours[s][m] for s in seeds], [by_seed[baseline][s][m] for s in seeds])
                    for m in ("valid", "test")
                } | {"paired_seeds": len(seeds)}
    gan = [r["gan_seconds"] for r in records if r["method"] == "nag"]
    if gan:
        summary["gan_train_seconds"] = _stats(gan)
    return summary


def code_version() -> str:
    """A hash of the code a record depends on: the ``nas_core`` and ``nas_nag`` packages and this
    script. (Until stop 15 the core was left out, and runs of an older core were resumed.)"""
    import nas_core
    import nas_nag

    script = Path(__file__).resolve()
    files = [(script.name, script)]
    for package in (nas_core, nas_nag):
        root = Path(package.__file__).parent
        files += [(str(path.relative_to(root.parent)), path) for path in sorted(root.rglob("*.py"))]
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def previous_runs(path: Path, settings: dict[str, Any], fresh: bool) -> list[dict[str, Any]]:
    """The runs of an earlier invocation with the same code and settings, to be skipped."""
    if fresh or not path.exists():
        return []
    old = json.loads(path.read_text())
    mismatched = [key for key, value in settings.items() if old.get(key) != value]
    if mismatched:
        sys.exit(f"{path} was written with other {', '.join(mismatched)}; pass --fresh to start over (or -o elsewhere)")
    return [run for dataset in old["datasets"].values() for run in dataset["runs"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--seeds", type=int, default=100, help="RS-NAG seeds (each trains a GAN: ~20 s on one idle core)")
    parser.add_argument("--baseline-seeds", type=int, default=None, help="random/evolution seeds (default: --seeds)")
    parser.add_argument("--first-seed", type=int, default=0, help="seeds run from here (100 on: held out for choosing variants)")
    parser.add_argument("--evaluated", type=int, default=100, help="queries of each search (N_s for RS-NAG)")
    parser.add_argument("--dataset-size", type=int, default=50, help="RS-NAG's NAS dataset (queries)")
    parser.add_argument("--nag-option", action="append", default=[], metavar="NAME=VALUE", help="e.g. nag_graph=probability")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "nag_rsnag.json")
    parser.add_argument("--fresh", action="store_true", help="ignore (overwrite) the runs already in --output")
    args = parser.parse_args()
    baseline_seeds = args.seeds if args.baseline_seeds is None else args.baseline_seeds
    options = dict(item.split("=", 1) for item in args.nag_option)
    settings = {"code_version": code_version(), "evaluated": args.evaluated, "dataset_size": args.dataset_size, "nag_options": options}
    done = previous_runs(args.output, settings, args.fresh)
    result: dict[str, Any] = {"command": "python " + " ".join(sys.argv), **settings, "datasets": {}}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    # The cheap baselines first, then RS-NAG seed-major over the datasets: the file is rewritten
    # after every run, so a benchmark stopped early still holds whole seeds of every dataset.
    tasks = [
        {"method": method, "dataset": dataset, "seed": seed, "evaluated": args.evaluated,
         "dataset_size": args.dataset_size, "options": options}
        for method in ("random", "evolution") for dataset in args.datasets for seed in range(args.first_seed, args.first_seed + baseline_seeds)
    ] + [
        {"method": "nag", "dataset": dataset, "seed": seed, "evaluated": args.evaluated,
         "dataset_size": args.dataset_size, "options": options}
        for seed in range(args.first_seed, args.first_seed + args.seeds) for dataset in args.datasets
    ]  # fmt: skip
    records: dict[str, list[dict[str, Any]]] = {dataset: [] for dataset in args.datasets}
    for run in done:
        records.setdefault(run["dataset"], []).append(run)
    recorded = {(run["method"], run["dataset"], run["seed"]) for run in done}
    tasks = [task for task in tasks if (task["method"], task["dataset"], task["seed"]) not in recorded]
    if done:
        print(f"resuming: {len(done)} runs already in {args.output}, {len(tasks)} to go", flush=True)
    with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn"), initializer=_init) as pool:
        for record in pool.map(run_task, tasks):
            records[record["dataset"]].append(record)
            for dataset, runs in records.items():
                result["datasets"][dataset] = {"summary": summarize(runs), "runs": runs}
            args.output.write_text(json.dumps(result, indent=1))
            if record["method"] == "nag":
                print(f"{record['dataset']:15s} seed {record['seed']:3d} rs-nag paper {record['paper']['test']:.2f} "
                      f"honest {record['honest']['test']:.2f} ({record['wall_seconds']:.0f} s)", flush=True)
    for dataset in args.datasets:
        for name, s in result["datasets"][dataset]["summary"]["methods"].items():
            print(f"{dataset:15s} {name:20s} n={s['test']['n']:3d} valid {s['valid']['mean']:.2f} ± {s['valid']['std']:.2f}  "
                  f"test {s['test']['mean']:.2f} ± {s['test']['std']:.2f}")
    print(f"wrote {args.output}\nreproduce: {result['command']}")


if __name__ == "__main__":
    main()
