"""GPNAS against its peers on NB201, one table with paired standard errors.

    python benchmarks/peers_nb201.py                                   # 100 seeds x 3 datasets (hours)
    python benchmarks/peers_nb201.py --seeds 5 --datasets cifar10      # a check

Seven sets (GPNAS, Optuna's multivariate TPE, SMAC's BOHB and Hyperband, local search,
regularized evolution, random search), each with its defaults, under the protocol of the other
NB201 benchmarks: single-seed feedback, 12000 s of simulated search time per run, the returned
architecture judged by its seed-averaged validation and test accuracy. Every set runs the same
seeds, so the difference to GPNAS is taken per seed (paired) and its standard error is the
standard deviation of the per-seed differences over sqrt(seeds).

Beside the final accuracies, the best validation accuracy each run had seen after an eighth, a
quarter and half of the budget (paired the same way), and how many runs evaluated the optimum:
where a method is ahead early or only at the end.

Runs are made by ``nas bench`` in chunks of ``--chunk`` seeds, one results file per dataset and
chunk in benchmarks/results/peers_nb201/; a chunk whose file is complete is not run again, so a
stopped run continues where it was (a chunk in progress starts over). The chunks of a dataset
are merged into benchmarks/results/peers_nb201_<dataset>.json (the format of ``nas bench``, for
``nas plot``), and the table goes to benchmarks/results/peers_nb201.json and .md, with every
``nas bench`` command that made it.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from gpnas_compare import paired_difference
from nas_core.comparison import summarize_runs

RESULTS = Path(__file__).resolve().parent / "results"
SETS = ("gpnas", "optuna", "bohb", "hyperband", "hillclimb", "evolution", "random")
DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
NAS = shutil.which("nas") or str(Path(sys.executable).with_name("nas"))


def bench_command(dataset: str, start: int, seeds: int, jobs: int, sets: tuple[str, ...], output: Path) -> list[str]:
    plugins = [word for name in sets for word in ("--plugin", name)]
    return [NAS, "bench", *plugins, "--benchmark", "nb201", "--dataset", dataset, "--seed-start", str(start),
            "--seeds", str(seeds), "--budget", "12000s", "--jobs", str(jobs), "--quiet", "-o", str(output)]  # fmt: skip


def run_chunks(dataset: str, args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[str]]:
    """Every chunk's bench results (running what is missing) and the commands that made them."""
    folder = RESULTS / "peers_nb201"
    folder.mkdir(parents=True, exist_ok=True)
    chunks, commands = [], []
    for start in range(args.seed_start, args.seed_start + args.seeds, args.chunk):
        count = min(args.chunk, args.seed_start + args.seeds - start)
        output = folder / f"{dataset}_s{start}-{start + count - 1}.json"
        command = bench_command(dataset, start, count, args.jobs, args.sets, output)
        shown = shlex.join(["nas", *command[1:]])
        if not (output.exists() and json.loads(output.read_text()).get("complete")):
            print(shown, flush=True)
            subprocess.run(command, check=True)
        chunks.append(json.loads(output.read_text()))
        commands.append(shown)
    return chunks, commands


def merged(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """The chunks of one dataset as one ``nas bench`` result."""
    whole = dict(chunks[0])
    whole["seeds"] = [seed for chunk in chunks for seed in chunk["seeds"]]
    whole["runs"] = {label: [r for chunk in chunks for r in chunk["runs"][label]] for label in chunks[0]["runs"]}
    optimum = whole["optimum"]["valid_acc"]
    whole["summary"] = {label: summarize_runs(runs, optimum) for label, runs in whole["runs"].items()}
    return whole


def mean_and_stderr(values: list[float]) -> dict[str, float]:
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return {"mean": statistics.fmean(values), "stderr": spread / len(values) ** 0.5}


ANYTIME_SECONDS = (1500, 3000, 6000)  # an eighth, a quarter and half of the 12000 s budget


def best_valid_at(record: dict[str, Any], seconds: float) -> float:
    """The best validation accuracy a run had seen by ``seconds`` of simulated search time (its
    first evaluation's when that ended later: every method pays for one before it knows anything)."""
    curve = record["curve"]
    seen = [valid for cost, valid in zip(curve["cost"], curve["valid"], strict=True) if cost <= seconds]
    return seen[-1] if seen else curve["valid"][0]


def table(bench: dict[str, Any], reference: str) -> dict[str, Any]:
    """Per set: mean ± s.e. of the final validation and test accuracy, and of the best validation
    accuracy seen by each of ANYTIME_SECONDS; how often it evaluated the optimum; queries and wall
    time per run; and the reference's per-seed difference to it on each of those accuracies."""
    runs = {label: [{**r, **{f"at_{t}": best_valid_at(r, t) for t in ANYTIME_SECONDS}} for r in records]
            for label, records in bench["runs"].items()}  # fmt: skip
    metrics = {"valid": "final_valid", "test": "final_test", **{f"at_{t}": f"at_{t}" for t in ANYTIME_SECONDS}}
    rows = {}
    for label, records in runs.items():
        row: dict[str, Any] = {name: mean_and_stderr([r[key] for r in records]) for name, key in metrics.items()}
        row["seeds"] = len(records)
        row["found_optimum"] = sum(r["queries_to_optimum"] is not None for r in records)
        row["queries_mean"] = statistics.fmean(r["queries"] for r in records)
        row["wall_seconds_mean"] = statistics.fmean(r["wall_seconds"] for r in records)
        if label != reference:
            row[f"{reference}_minus"] = {name: paired_difference(runs[reference], records, key) for name, key in metrics.items()}
        rows[label] = row
    return rows


def markdown(tables: dict[str, dict[str, Any]], reference: str, metric: str) -> str:
    datasets = list(tables)
    shown = metric if metric in ("valid", "test") else f"best valid by {metric.removeprefix('at_')} s"
    head = "| method | " + " | ".join(f"{d} {shown} | {reference} − it" for d in datasets) + " |"
    lines = [head, "|" + " --- |" * (1 + 2 * len(datasets))]
    for label in next(iter(tables.values())):
        cells = []
        for dataset in datasets:
            row = tables[dataset][label]
            cells.append(f"{row[metric]['mean']:.2f} ± {row[metric]['stderr']:.2f}")
            diff = row.get(f"{reference}_minus", {}).get(metric)
            if diff is None:
                cells.append("")
            elif diff["stderr"] > 0:
                cells.append(f"{diff['mean']:+.3f} ± {diff['stderr']:.3f} ({diff['mean'] / diff['stderr']:+.1f} s.e.)")
            else:
                cells.append(f"{diff['mean']:+.3f} ± 0")
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def found_optimum_markdown(tables: dict[str, dict[str, Any]]) -> str:
    """Per set and dataset: in how many runs it evaluated the optimum, and its mean queries per run."""
    datasets = list(tables)
    lines = ["| method | " + " | ".join(f"{d} optimum found, queries per run" for d in datasets) + " |", "|" + " --- |" * (1 + len(datasets))]
    for label in next(iter(tables.values())):
        cells = [f"{tables[d][label]['found_optimum']}/{tables[d][label]['seeds']}, {tables[d][label]['queries_mean']:.0f}" for d in datasets]
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--seed-start", type=int, default=0)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--sets", nargs="+", default=list(SETS), help="plugin sets; the first is the reference")
    parser.add_argument("--chunk", type=int, default=10, help="seeds per nas bench run (and results file)")
    parser.add_argument("--jobs", type=int, default=1, help="nas bench --jobs: runs in parallel")
    args = parser.parse_args()
    args.sets = tuple(args.sets)
    reference = args.sets[0]
    tables, commands = {}, {}
    for dataset in args.datasets:
        chunks, commands[dataset] = run_chunks(dataset, args)
        bench = merged(chunks)
        target = RESULTS / f"peers_nb201_{dataset}.json"
        target.write_text(json.dumps(bench, indent=1))
        subprocess.run([NAS, "plot", str(target), "-o", str(target.with_suffix(".png"))], check=True, capture_output=True)
        tables[dataset] = table(bench, reference)
    text = "\n\n".join(markdown(tables, reference, metric) for metric in ("valid", "test", *(f"at_{t}" for t in ANYTIME_SECONDS)))
    text += "\n\n" + found_optimum_markdown(tables)
    out = {
        "command": shlex.join(["python", *sys.argv]),
        "nas_bench_commands": commands,
        "protocol": "NB201, single-seed validation accuracy as feedback, 12000 s simulated per run, paired by seed",
        "seeds": list(range(args.seed_start, args.seed_start + args.seeds)),
        "reference": reference,
        "environment": next(iter(json.loads((RESULTS / f"peers_nb201_{d}.json").read_text())["environment"] for d in args.datasets)),
        "tables": tables,
        "markdown": text,
    }
    (RESULTS / "peers_nb201.json").write_text(json.dumps(out, indent=1))
    (RESULTS / "peers_nb201.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
