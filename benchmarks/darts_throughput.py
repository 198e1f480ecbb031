"""Supernet search throughput and peak memory on the CPU, per cell space and architecture gradient.

For the NB201 supernet (5 cells per stage, 16 channels) and the DARTS supernet (8 cells, 16
channels), DARTS' defaults otherwise (batch 64), on digits (8x8 images) and mnist1d (1x40
signals): the time of search steps (an alpha step with the method's gradient, then a weight
step), after one warm-up step, as weight-training samples per second; and the peak resident
memory of the process, next to its memory before the supernet was built. Every configuration
runs in its own process with one torch thread.

    python benchmarks/darts_throughput.py --steps 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
SPACES = ("nb201", "darts")
METHODS = ("first-order", "second-order", "milenas")
DATASETS = ("digits", "mnist1d")


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(space_name: str, method: str, dataset: str, steps: int) -> dict[str, Any]:
    """One configuration, in this process."""
    import torch

    from nas_core.datasets import builtin
    from nas_core.registry import DatasetRequest
    from nas_core.spaces.nb201 import NB201Space
    from nas_core.training.fit import DeviceData

    from nas_darts.search import SupernetSearch
    from nas_darts.settings import SearchSettings
    from nas_darts.space import DartsCellSpace

    torch.set_num_threads(1)
    data = DeviceData(getattr(builtin, dataset)(DatasetRequest(None, 0)), torch.device("cpu"))
    before = rss_mb()
    space = NB201Space() if space_name == "nb201" else DartsCellSpace()
    search = SupernetSearch.create(space, data, SearchSettings(method=method, schedule="paper"), seed=0)  # DARTS-size supernet
    x_w, y_w = search.split.w_data
    x_a, y_a = search.split.alpha_data
    batch = search.settings.batch_size
    search.supernet.train()

    def step(k: int) -> None:
        window = slice(k * batch, (k + 1) * batch)
        search.step((x_w[window], y_w[window]), (x_a[window], y_a[window]), search.settings.w_lr)

    step(0)  # warm-up
    started = time.perf_counter()
    for k in range(1, steps + 1):
        step(k)
    seconds = time.perf_counter() - started
    return {
        "space": space_name, "method": method, "dataset": dataset, "input_shape": list(data.dataset.input_shape),
        "batch_size": batch, "timed_steps": steps, "seconds_per_step": seconds / steps,
        "samples_per_s": steps * batch / seconds,
        "supernet_params_m": sum(p.numel() for p in search.supernet.weights()) / 1e6,
        "rss_before_supernet_mb": before, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--one", nargs=3, metavar=("SPACE", "METHOD", "DATASET"), help=argparse.SUPPRESS)
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "darts_throughput.json")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(*args.one, args.steps)))
        return
    rows = []
    for space in SPACES:
        for dataset in DATASETS:
            for method in METHODS:
                command = [sys.executable, __file__, "--steps", str(args.steps), "--one", space, method, dataset]
                done = subprocess.run(command, capture_output=True, text=True, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
                rows.append(json.loads(done.stdout))
                print(rows[-1], flush=True)
    report = {
        "command": f"python benchmarks/darts_throughput.py --steps {args.steps}",
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "torch_threads": 1,
                    "load_average_at_end": os.getloadavg()},
        "rows": rows,
    }  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1))
    print("wrote", args.output)


if __name__ == "__main__":
    main()
