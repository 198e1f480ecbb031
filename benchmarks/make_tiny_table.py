"""Derive the conformance kit's tiny table, ``nas_core/data/nb201_cifar10_tiny.csv``, from NB201.

    NAS_DATA_DIR=../shared/data python benchmarks/make_tiny_table.py

The table holds 5^3 = 125 NAS-Bench-201 cells on cifar10-valid: the three edges into nodes 1 and
2 carry ``nor_conv_3x3``, as in the cifar10 optimum (so the optimum is one of the rows), and the
three edges into the output node take every combination of the five operations. It is written in
the "bring your own" table format (docs/table-format.md), so the kit runs anywhere, and third-party
authors see a real table of that format:

- ``arch``: the three free operations, a JSON list (edges 0->3, 1->3, 2->3);
- ``valid_acc``, ``test_acc``: seed-averaged 200-epoch accuracies (NASGraph-Public's copy of the
  NAS-Bench-201 results);
- ``params`` (MB), ``flops`` (M): NB201's analytic counts of the cell's network;
- ``cost_seconds``: 12 x the per-epoch training time (NAS-Landscapes' copy of NATS-Bench), the
  NB201 paper's protocol, the same charge as ``--benchmark nb201``;
- ``nb201_arch``: the official NB201 string of the cell (text, so queries return it in ``info``).

Every value is the one ``--benchmark nb201 --dataset cifar10`` reports for that cell, rounded to
six decimals. Licence notices of the sources: ``nas_core/data/NOTICE.md``.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import sys
from pathlib import Path

from nas_core.tables.nb201 import load_nb201
from nas_core.spaces.nb201 import OPS, NB201Cell

FIXED = ("nor_conv_3x3",) * 3  # edges 0->1, 0->2, 1->2
COLUMNS = ("valid_acc", "test_acc", "params", "flops")
OUT = Path(__file__).resolve().parents[1] / "nas_core" / "data" / "nb201_cifar10_tiny.csv"


def rows(data_dir: Path) -> list[dict[str, str]]:
    nb201 = load_nb201(data_dir, "cifar10")
    out = []
    for free in itertools.product(OPS, repeat=3):
        cell = NB201Cell(FIXED + free)
        result = nb201.query(cell)
        values = {name: result.metrics[name] for name in COLUMNS} | {"cost_seconds": result.cost_seconds}
        out.append(
            {"arch": json.dumps(list(free))}
            | {name: f"{value:.6f}" for name, value in values.items()}
            | {"nb201_arch": cell.arch_str}
        )
    return out


def main() -> None:
    data_dir = os.environ.get("NAS_DATA_DIR")
    if not data_dir:
        sys.exit("set NAS_DATA_DIR to the folder that contains nb201/")
    table = rows(Path(data_dir))
    with OUT.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    print(f"wrote {len(table)} rows to {OUT}")


if __name__ == "__main__":
    main()
