"""Seconds per GAN training as RS-NAG runs it on NB201: a 50-cell NAS dataset, paper settings.

Each repeat draws ``--cells`` uniform NB201 cells (seeded), labels them by tertiles of their
cifar10 validation accuracy from the table, trains NAG for the paper's 200 epochs (one
iteration per epoch: the dataset is smaller than a batch of 64) on one torch thread, and
records the training's wall and CPU seconds. ``--profile`` prints a cProfile of the first
repeat instead of timing.

    NAS_DATA_DIR=/work/shared/data python benchmarks/nag_gan_speed.py --repeats 3
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def one_training(seed: int, cells: int, epochs: int) -> tuple[float, float]:
    import numpy as np

    from nas_core.spaces.nb201 import NB201Space
    from nas_nag.gan import NAG
    from nas_nag.grammar import NB201Grammar
    from nas_nag.labels import tertiles
    from nas_nag.settings import GANSettings

    space = NB201Space()
    rng = np.random.default_rng(seed)
    archs = [space.sample(rng) for _ in range(cells)]
    # labels need only an ordering; a seeded random score keeps the benchmark free of table I/O
    labels = tertiles(rng.random(cells)).reshape(-1, 1)
    nag = NAG(NB201Grammar(space), (3,), GANSettings(epochs=epochs), seed=seed)
    wall, cpu = time.perf_counter(), time.process_time()
    nag.fit(archs, labels)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cells", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "nag_gan_speed.json")
    args = parser.parse_args()
    import torch

    warnings.simplefilter("ignore", DeprecationWarning)
    torch.set_num_threads(1)
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(one_training, 0, args.cells, args.epochs)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        return
    runs = [one_training(seed, args.cells, args.epochs) for seed in range(args.repeats)]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    result = {
        "command": "python " + " ".join(sys.argv),
        "commit": commit,
        "wall_seconds": [w for w, _ in runs],
        "cpu_seconds": [c for _, c in runs],
        "wall_median": statistics.median(w for w, _ in runs),
        "cpu_median": statistics.median(c for _, c in runs),
    }
    print(json.dumps(result, indent=1))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
