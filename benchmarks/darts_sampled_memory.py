"""Peak memory and speed of a mixed op over N candidates: all of them, or k = 2 sampled paths.

One supernet edge (``nas_core.MixedOp``) over N ReLU-conv-BN candidates (kernel 1/3/5,
dilation 1/2/3, each candidate its own weights, as NASIB's layers of 25-81 choices), on a batch of
64 x 16 channels x 32 x 32. One step = draw the paths from softmax(alpha) (``sample_paths``; none
in full mode), forward, backward to the weights and the alphas: what a search step costs the edge.
Every (N, mode) runs in a fresh process, so its peak RSS is its own; ``step_peak_mb`` is that
peak minus the process's RSS before the first step (torch, the op's weights and the batch).

    OMP_NUM_THREADS=1 python benchmarks/darts_sampled_memory.py            # N = 5, 25, 81; full and k=2

Writes benchmarks/results/darts_sampled_memory.json (with this command).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "benchmarks" / "results" / "darts_sampled_memory.json"
KERNELS = ((1, 1), (3, 1), (5, 1), (3, 2), (5, 2), (3, 3))  # (kernel, dilation)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def measure(n: int, k: int, batch: int, channels: int, size: int, steps: int) -> dict[str, Any]:
    """In this process: build the edge, run ``steps`` timed search steps after one warm-up step."""
    import torch
    from torch import nn

    from nas_core import MixedOp, sample_paths

    torch.set_num_threads(1)
    torch.manual_seed(0)
    names = [f"conv_{i}" for i in range(n)]

    def make(name: str) -> nn.Module:
        kernel, dilation = KERNELS[int(name.split("_")[1]) % len(KERNELS)]
        pad = dilation * (kernel - 1) // 2
        return nn.Sequential(nn.ReLU(), nn.Conv2d(channels, channels, kernel, padding=pad, dilation=dilation, bias=False), nn.BatchNorm2d(channels))

    op = MixedOp(names, make)
    alpha = nn.Parameter(1e-3 * torch.randn(n))
    x = torch.randn(batch, channels, size, size)
    generator = torch.Generator().manual_seed(0)

    def step() -> None:
        weights = torch.softmax(alpha, -1)
        paths = None if k == n else sample_paths(weights, k, generator)
        op(x, weights, paths).square().mean().backward()
        op.zero_grad(set_to_none=True)
        alpha.grad = None

    before = rss_mb()
    step()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "candidates": n, "paths": k, "mode": "full" if k == n else f"sampled k={k}",
        "weights_m": sum(p.numel() for p in op.parameters()) / 1e6,
        "rss_before_steps_mb": before, "peak_rss_mb": peak, "step_peak_mb": peak - before,
        "samples_per_second": batch * steps / seconds, "seconds_per_step": seconds / steps,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, nargs="+", default=[5, 25, 81])
    parser.add_argument("--k", type=int, default=2, help="sampled paths (ProxylessNAS: 2)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--channels", type=int, default=16)
    parser.add_argument("--size", type=int, default=32, help="height = width of the input")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--one", type=int, nargs=2, metavar=("N", "K"), help=argparse.SUPPRESS)  # a child process
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    shape = (args.batch, args.channels, args.size, args.steps)
    if args.one:
        print(json.dumps(measure(*args.one, *shape)))
        return
    rows = []
    for n in args.candidates:
        for k in (n, args.k):
            child = [sys.executable, __file__, "--one", str(n), str(k), "--batch", str(args.batch), "--channels",
                     str(args.channels), "--size", str(args.size), "--steps", str(args.steps)]  # fmt: skip
            done = subprocess.run(child, env={**os.environ, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True)
            row = json.loads(done.stdout) if done.returncode == 0 else {"candidates": n, "paths": k, "error": done.stderr.strip().splitlines()[-1:]}
            rows.append(row)
            print(row, flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({
        "command": "OMP_NUM_THREADS=1 python " + " ".join(shlex.quote(a) for a in sys.argv),
        "setup": {"batch": args.batch, "channels": args.channels, "size": args.size, "steps": args.steps,
                  "candidates": "ReLU-conv-BN, (kernel, dilation) cycling through " + str(KERNELS)},
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "torch_threads": 1,
                    "load_average_at_end": os.getloadavg()},
        "rows": rows,
    }, indent=1))  # fmt: skip
    print("wrote", args.output)


if __name__ == "__main__":
    main()
