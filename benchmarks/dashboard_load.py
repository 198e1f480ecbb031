"""``nas dashboard`` under load, in a real headless Chromium (Debian's chromium, chromium-driver).

1. Time to first render (navigation start to the page's first complete render: summary, both
   best-so-far curves and the first page of the table; the Pareto front follows) of a study of
   20,000 trials, opened cold (a dashboard that has not read the file) and again.
2. The same for a ``nas bench`` result of 100 seeds x 3 plugin sets on NB201.
3. A search's trials per second with the study's page open in the browser (polling it) against
   the same search with no dashboard, alternated, each several times.

The 20,000-trial study searches a generated table of 30,000 architectures (NB201's table has
5,425 distinct networks, too few): 7 positions of 5 operations, each row with accuracies, params,
FLOPs, a latency and a simulated cost, all drawn from one seed.

    OMP_NUM_THREADS=1 python benchmarks/dashboard_load.py            # about 10 minutes here
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
sys.path.insert(0, str(REPO / "dashboard" / "tests"))
from helpers import NAS, chrome, chromium_missing, dashboard, open_page  # noqa: E402

OPS = ("conv3x3", "conv1x1", "pool", "skip", "none")


def make_table(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    codes = rng.choice(len(OPS) ** 7, size=rows, replace=False)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["arch", "valid_acc", "test_acc", "params", "flops", "latency_ms", "cost_seconds"])
        for code in codes:
            tokens = [OPS[(int(code) // len(OPS) ** k) % len(OPS)] for k in range(7)]
            convs = sum(t.startswith("conv") for t in tokens)
            valid = 70 + 3 * convs - 2 * tokens.count("none") + rng.normal(0, 1.5)
            writer.writerow([json.dumps(tokens), round(valid, 3), round(valid - abs(rng.normal(0, 0.5)), 3),
                             round(0.1 * convs + rng.uniform(0, 0.05), 4), round(15 * convs + rng.uniform(0, 5), 2),
                             round(1 + 0.6 * convs + rng.uniform(0, 0.3), 3), round(rng.uniform(50, 150), 1)])  # fmt: skip


def search(table: Path, storage: Path, trials: int, seed: int) -> dict[str, Any]:
    command = [NAS, "search", "--plugin", "random", "--benchmark", str(table), "--budget", str(trials), "--seed", str(seed),
               "--storage", str(storage), "--json"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    summary = json.loads(done.stdout)
    return {"trials": summary["trials"], "wall_seconds": summary["budget_used"]["wall_seconds"],
            "trials_per_second": summary["trials"] / summary["budget_used"]["wall_seconds"]}  # fmt: skip


def first_renders(page: str, path: Path, repeats: int) -> dict[str, Any]:
    """Cold: a new dashboard process and a new browser; warm: the same page loaded again."""
    address = f"/{page}?" + urllib.parse.urlencode({"path": str(path)})
    cold, warm = [], []
    for _ in range(repeats):
        with dashboard(path.parent) as url:
            driver = chrome()
            try:
                cold.append(open_page(driver, url + address, timeout=120))
                warm.append(open_page(driver, url + address, timeout=120))
            finally:
                driver.quit()
    return {"cold_ms": cold, "warm_ms": warm, "cold_median_ms": statistics.median(cold), "warm_median_ms": statistics.median(warm)}


def throughput(table: Path, folder: Path, trials: int, repeats: int) -> dict[str, Any]:
    """Alternating searches without and with the page open (the page polls the running study)."""
    closed, opened = [], []
    with dashboard(folder) as url:
        driver = chrome()
        try:
            for k in range(repeats):
                closed.append(search(table, folder / f"closed{k}.db", trials, seed=k))
                db = folder / f"open{k}.db"
                process = subprocess.Popen([NAS, "search", "--plugin", "random", "--benchmark", str(table), "--budget", str(trials),
                                            "--seed", str(k), "--storage", str(db), "--json"], stdout=subprocess.PIPE, text=True)  # fmt: skip
                while not db.exists():
                    time.sleep(0.01)
                driver.get(url + "/study?" + urllib.parse.urlencode({"path": str(db)}))
                out, _ = process.communicate()
                summary = json.loads(out)
                polled = driver.execute_script("return document.querySelector('#live').textContent")
                opened.append({"trials": summary["trials"], "wall_seconds": summary["budget_used"]["wall_seconds"],
                               "trials_per_second": summary["trials"] / summary["budget_used"]["wall_seconds"], "page_said": polled})  # fmt: skip
        finally:
            driver.quit()
    alone = statistics.median(r["trials_per_second"] for r in closed)
    watched = statistics.median(r["trials_per_second"] for r in opened)
    return {"closed": closed, "open": opened, "closed_median": alone, "open_median": watched, "open_over_closed": watched / alone}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20000, help="trials of the large study")
    parser.add_argument("--seeds", type=int, default=100, help="seeds per plugin set of the bench file")
    parser.add_argument("--repeats", type=int, default=5, help="page loads (cold and warm) per page")
    parser.add_argument("--search-repeats", type=int, default=3, help="searches with and without the dashboard")
    parser.add_argument("--search-trials", type=int, default=10000, help="trials of each throughput search")
    parser.add_argument("-o", "--output", default=str(RESULTS / "dashboard_load.json"))
    args = parser.parse_args()
    missing = chromium_missing()
    if missing:
        sys.exit(f"error: {missing}")
    started = time.time()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        table = folder / "generated.csv"
        make_table(table, 30000)
        big = folder / "studies" / "big.db"
        big.parent.mkdir()
        made = search(table, big, args.trials, seed=0)
        bench = folder / "bench" / "bench.json"
        bench.parent.mkdir()
        subprocess.run([NAS, "bench", "--plugin", "random", "--plugin", "evolution", "--plugin", "hillclimb", "--benchmark", "nb201",
                        "--dataset", "cifar10", "--seeds", str(args.seeds), "--budget", "12000s", "--jobs", "2", "--quiet",
                        "-o", str(bench)], check=True, capture_output=True)  # fmt: skip
        study_render = first_renders("study", big, args.repeats)
        bench_render = first_renders("bench", bench, args.repeats)
        runs = folder / "runs"
        runs.mkdir()
        search_rates = throughput(table, runs, args.search_trials, args.search_repeats)
    result = {
        "command": "OMP_NUM_THREADS=1 python benchmarks/dashboard_load.py " + shlex.join(sys.argv[1:]),
        "machine": {"platform": platform.platform(), "cores": os.cpu_count(), "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
                    "load_average_at_start": LOAD_AT_START, "load_average_at_end": os.getloadavg(),
                    "chromium": subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()},  # fmt: skip
        "versions": {name: _version(name) for name in ("nas-core", "nas-dashboard", "starlette", "uvicorn", "plotly", "selenium")},
        "study": {"trials": made["trials"], "search": made, "first_render": study_render},
        "bench": {"plugin_sets": 3, "seeds": args.seeds, "first_render": bench_render},
        "search_with_dashboard": {"trials": args.search_trials, **search_rates},
        "seconds": time.time() - started,
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=1))
    print(json.dumps({k: result[k] for k in ("machine",)}, indent=1))
    print(f"study of {made['trials']} trials: first render cold {study_render['cold_median_ms']:.0f} ms, "
          f"warm {study_render['warm_median_ms']:.0f} ms (medians of {args.repeats})")
    print(f"bench of {args.seeds} seeds x 3 sets: cold {bench_render['cold_median_ms']:.0f} ms, warm {bench_render['warm_median_ms']:.0f} ms")
    print(f"search: {search_rates['closed_median']:.0f} trials/s alone, {search_rates['open_median']:.0f} with the page open "
          f"({search_rates['open_over_closed']:.3f})")


def _version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


LOAD_AT_START = os.getloadavg()

if __name__ == "__main__":
    main()
