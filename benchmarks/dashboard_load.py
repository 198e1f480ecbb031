"""``nas dashboard`` under load, in a real headless Chromium (Debian's chromium, chromium-driver).

1. Time to first render (from the start of navigation to the first paint of the page's text: a
   study's summary and first page of trials, a bench file's summary table; as the page measures
   it), and to its charts drawn too (plotly.js is fetched beside the data and run after that
   paint; a study's Pareto front follows), of a study of 20,000 trials:
   - ``cold``: a new dashboard and a new browser, started as a user starts them (the dashboard,
     then the browser; the dashboard reads its files meanwhile); the page opened once the
     browser has settled (``about:blank`` loaded, one second), as a user's browser is running;
   - ``cold_at_start``: a new browser, settled, and a new dashboard whose page is opened the
     moment it says it listens: the page waits for the dashboard to read the whole file;
   - ``warm``: the page loaded again.
   The browser's own start (seconds until selenium has a session) is recorded apart: it is not
   part of any of these.
2. The same for a ``nas bench`` result of 100 seeds x 3 plugin sets on NB201.
3. A search's trials per second with the study's page open in the browser (polling it) against
   the same search with no dashboard, alternated, each several times; and the CPU time the
   search process, the dashboard and the browser used meanwhile.

The 20,000-trial study searches a generated table of 60,000 architectures (NB201's table has
5,425 distinct networks, too few): 8 positions of 5 operations, each row with accuracies, params,
FLOPs, a latency and a simulated cost, all drawn from one seed.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/dashboard_load.py            # about 10 minutes here
"""

from __future__ import annotations

import argparse
import csv
import json
import math
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
from dashboard_helpers import NAS, charts_drawn, chrome, chromium_missing, cpu_seconds, dashboard, open_page  # noqa: E402

OPS = ("conv3x3", "conv1x1", "pool", "skip", "none")


def make_table(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    codes = rng.choice(len(OPS) ** 8, size=rows, replace=False)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["arch", "valid_acc", "test_acc", "params", "flops", "latency_ms", "cost_seconds"])
        for code in codes:
            tokens = [OPS[(int(code) // len(OPS) ** k) % len(OPS)] for k in range(8)]
            convs = sum(t.startswith("conv") for t in tokens)
            valid = 70 + 3 * convs - 2 * tokens.count("none") + rng.normal(0, 1.5)
            writer.writerow([json.dumps(tokens), round(valid, 3), round(valid - abs(rng.normal(0, 0.5)), 3),
                             round(0.1 * convs + rng.uniform(0, 0.05), 4), round(15 * convs + rng.uniform(0, 5), 2),
                             round(1 + 0.6 * convs + rng.uniform(0, 0.3), 3), round(rng.uniform(50, 150), 1)])  # fmt: skip


def search(table: Path, storage: Path, trials: int, seed: int, resume: bool = False) -> dict[str, Any]:
    """A ``nas search`` process; its summary's numbers and the CPU time the process used."""
    command = [NAS, "search", "--plugin", "random", "--benchmark", str(table), "--budget", str(trials), "--seed", str(seed),
               "--storage", str(storage), "--json", *(["--resume"] if resume else [])]  # fmt: skip
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise subprocess.CalledProcessError(process.returncode, command)
        out.seek(0)
        summary = json.loads(out.read())
    return {"trials": summary["trials"], "wall_seconds": summary["budget_used"]["wall_seconds"],
            "trials_per_second": summary["trials"] / summary["budget_used"]["wall_seconds"],
            "process_cpu_seconds": usage.ru_utime + usage.ru_stime,
            # waits (a lock, the disk) are voluntary switches; being preempted for another process is involuntary
            "voluntary_switches": usage.ru_nvcsw, "involuntary_switches": usage.ru_nivcsw}  # fmt: skip


def settled_chrome() -> tuple[Any, float]:
    """A new browser, and the seconds it took to start; it has loaded a blank page and had a
    second to finish starting (its helper processes), as a browser a user opens a page in has."""
    started = time.perf_counter()
    driver = chrome()
    seconds = time.perf_counter() - started
    driver.get("about:blank")
    time.sleep(1.0)
    return driver, seconds


def first_renders(page: str, path: Path, repeats: int) -> dict[str, Any]:
    """Cold, cold at the dashboard's start, and warm (see the module's docstring)."""
    address = f"/{page}?" + urllib.parse.urlencode({"path": str(path)})
    times: dict[str, list[float]] = {f"{when}{part}_ms": [] for when in ("cold", "cold_at_start", "warm") for part in ("", "_charts")}
    browser_start: list[float] = []

    def load(driver: Any, url: str, when: str) -> None:
        times[f"{when}_ms"].append(open_page(driver, url + address, timeout=120))
        times[f"{when}_charts_ms"].append(charts_drawn(driver, timeout=120))

    for _ in range(repeats):
        with dashboard(path.parent) as url:
            driver, seconds = settled_chrome()
            browser_start.append(seconds)
            try:
                load(driver, url, "cold")
                load(driver, url, "warm")
            finally:
                driver.quit()
        driver, seconds = settled_chrome()
        browser_start.append(seconds)
        try:
            with dashboard(path.parent) as url:
                load(driver, url, "cold_at_start")
        finally:
            driver.quit()
    return {**times, "browser_start_seconds": browser_start,
            **{f"{name[:-3]}_median_ms": statistics.median(values) for name, values in times.items()}}  # fmt: skip


def throughput(table: Path, folder: Path, trials: int, repeats: int) -> dict[str, Any]:
    """The same search with and without the study's page open, alternated. Each search first
    records one trial (so there is a study to open), then resumes to ``trials``: the rate is
    that of the resumed part, and the CPU time the dashboard and the browser used meanwhile is
    counted."""
    runs: dict[str, list[dict[str, Any]]] = {"closed": [], "open": []}
    with dashboard(folder) as url:
        driver = chrome()
        try:
            for k in range(repeats):
                for mode in runs:
                    db = folder / f"{mode}{k}.db"
                    first = search(table, db, 1, seed=k)
                    if mode == "open":
                        open_page(driver, url + "/study?" + urllib.parse.urlencode({"path": str(db)}))
                        charts_drawn(driver)  # the page's start (plotly.js, its first charts) is not the search's concern
                    else:
                        driver.get("about:blank")
                    time.sleep(1.0)
                    cpu = (cpu_seconds(url.pid), cpu_seconds(driver.service.process.pid))
                    done = search(table, db, trials, seed=k, resume=True)
                    seconds = done["wall_seconds"] - first["wall_seconds"]
                    used = (cpu_seconds(url.pid) - cpu[0], cpu_seconds(driver.service.process.pid) - cpu[1])
                    runs[mode].append({"trials": done["trials"] - 1, "seconds": seconds, "trials_per_second": (done["trials"] - 1) / seconds,
                                       "search_cpu_seconds": done["process_cpu_seconds"], "search_voluntary_switches": done["voluntary_switches"],
                                       "search_involuntary_switches": done["involuntary_switches"],
                                       "dashboard_cpu_seconds": used[0], "browser_cpu_seconds": used[1],
                                       "page_said": driver.execute_script("return document.querySelector('#live')?.textContent ?? ''")})  # fmt: skip
        finally:
            driver.quit()
    alone = statistics.median(r["trials_per_second"] for r in runs["closed"])
    watched = statistics.median(r["trials_per_second"] for r in runs["open"])
    # each open run against the closed run just before it: the machine's other load drifts less within a pair
    paired = [o["trials_per_second"] / c["trials_per_second"] for c, o in zip(runs["closed"], runs["open"])]
    spread = 2.0 * statistics.stdev(paired) / len(paired) ** 0.5 if len(paired) > 1 else math.nan  # about a 95% interval
    cpu_per_trial = {mode: statistics.median(1000 * r["search_cpu_seconds"] / r["trials"] for r in done) for mode, done in runs.items()}
    return {**runs, "closed_median": alone, "open_median": watched, "open_over_closed": watched / alone,
            "paired_ratios": paired, "paired_ratio_median": statistics.median(paired),
            "paired_ratio_mean": statistics.mean(paired), "paired_ratio_mean_95_interval": [statistics.mean(paired) - spread, statistics.mean(paired) + spread],
            "search_cpu_ms_per_trial_closed": cpu_per_trial["closed"], "search_cpu_ms_per_trial_open": cpu_per_trial["open"],
            **{f"search_voluntary_switches_{mode}_median": statistics.median(r["search_voluntary_switches"] for r in done) for mode, done in runs.items()},
            "dashboard_and_browser_cpu_share_open": statistics.median(
                (r["dashboard_cpu_seconds"] + r["browser_cpu_seconds"]) / r["seconds"] for r in runs["open"])}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20000, help="trials of the large study")
    parser.add_argument("--seeds", type=int, default=100, help="seeds per plugin set of the bench file")
    parser.add_argument("--repeats", type=int, default=5, help="page loads (cold and warm) per page")
    parser.add_argument("--search-repeats", type=int, default=10, help="searches with and without the dashboard")
    parser.add_argument("--search-trials", type=int, default=30000, help="trials of each throughput search")
    parser.add_argument("--table-rows", type=int, default=60000, help="architectures in the generated table")
    parser.add_argument("-o", "--output", default=str(RESULTS / "dashboard_load.json"))
    args = parser.parse_args()
    missing = chromium_missing()
    if missing:
        sys.exit(f"error: {missing}")
    started = time.time()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        table = folder / "generated.csv"
        make_table(table, args.table_rows)
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
        "command": "OMP_NUM_THREADS=1 nice -n 10 python benchmarks/dashboard_load.py " + shlex.join(sys.argv[1:]),
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
    for name, times in ((f"study of {made['trials']} trials", study_render), (f"bench of {args.seeds} seeds x 3 sets", bench_render)):
        print(f"{name}: first render cold {times['cold_median_ms']:.0f} ms (charts {times['cold_charts_median_ms']:.0f} ms), "
              f"cold at the dashboard's start {times['cold_at_start_median_ms']:.0f} ms (charts {times['cold_at_start_charts_median_ms']:.0f} ms), "
              f"warm {times['warm_median_ms']:.0f} ms (charts {times['warm_charts_median_ms']:.0f} ms), medians of {args.repeats}")
    print(f"search: {search_rates['closed_median']:.0f} trials/s alone, {search_rates['open_median']:.0f} with the page open "
          f"({search_rates['open_over_closed']:.3f}; paired runs: median {search_rates['paired_ratio_median']:.3f}, mean "
          f"{search_rates['paired_ratio_mean']:.3f}, 95% {search_rates['paired_ratio_mean_95_interval'][0]:.3f}-"
          f"{search_rates['paired_ratio_mean_95_interval'][1]:.3f}); search CPU per trial {search_rates['search_cpu_ms_per_trial_closed']:.3f} ms alone, "
          f"{search_rates['search_cpu_ms_per_trial_open']:.3f} ms watched; dashboard and browser used "
          f"{100 * search_rates['dashboard_and_browser_cpu_share_open']:.1f}% of a core meanwhile")


def _version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


LOAD_AT_START = os.getloadavg()

if __name__ == "__main__":
    main()
