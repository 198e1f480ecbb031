"""Write a CSV file of made-up customers to search on: nothing to download.

    python examples/make_tabular_csv.py customers.csv [--rows 1000] [--seed 0]

Columns: ``age`` and ``monthly_spend`` and ``support_calls`` (numbers), ``plan`` and ``region``
(categories, written as text), and ``churn``, the label (``stays`` or ``leaves``). Whether a
customer leaves depends on the plan, the support calls, the spend relative to the plan and a
little on the region, with noise: a network can learn it, not perfectly.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

PLANS = {"basic": 20.0, "plus": 45.0, "premium": 90.0}  # typical monthly spend
REGIONS = ("north", "south", "east", "west")


def write_customers(path: Path, rows: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    plans = rng.choice(list(PLANS), size=rows, p=[0.5, 0.3, 0.2])
    regions = rng.choice(REGIONS, size=rows)
    ages = rng.integers(18, 80, size=rows)
    typical = np.array([PLANS[plan] for plan in plans])
    spend = np.round(typical * rng.lognormal(0.0, 0.35, size=rows), 2)
    calls = rng.poisson(1.5, size=rows)
    score = (
        1.1 * (calls - 1.5)
        + 2.5 * (spend / typical - 1.0)
        - 1.2 * (plans == "premium")
        + 0.6 * (regions == "east")
        - 0.02 * (ages - 45)
        + rng.normal(0.0, 0.5, size=rows)
    )
    labels = np.where(score > 0.3, "leaves", "stays")
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["age", "plan", "region", "monthly_spend", "support_calls", "churn"])
        writer.writerows(zip(ages, plans, regions, spend, calls, labels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="CSV file to write")
    parser.add_argument("--rows", type=int, default=1000, help="customers (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the made-up data (default 0)")
    args = parser.parse_args()
    write_customers(args.path, args.rows, args.seed)
    print(f"wrote {args.rows} customers to {args.path}")


if __name__ == "__main__":
    main()
