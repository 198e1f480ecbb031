"""How long ``--benchmark nb201`` waits for its table: the shipped compact copy vs the raw tables.

Each measurement is a fresh Python process (nothing cached in memory; the operating system's file
cache is left as it is) that imports nas-core, then times ``load_nb201`` for one dataset: reading
the files, joining them and building the in-memory table a run queries. The raw tables are
measured too where ``NAS_RAW_DATA_DIR`` or ``NAS_DATA_DIR`` holds them.

    OMP_NUM_THREADS=1 NAS_RAW_DATA_DIR=../shared/data python benchmarks/nb201_tables_load.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from nas_core.tables.files import shipped_data_dir
from nas_core.tables.nb201 import DATASETS

RESULTS = Path(__file__).resolve().parent / "results"
TIMED = """
import sys, time
from pathlib import Path
from nas_core.tables.nb201 import load_nb201
start = time.perf_counter()
table = load_nb201(Path(sys.argv[1]), sys.argv[2])
print(time.perf_counter() - start, len(table))
"""


def cold_load(root: Path, dataset: str) -> float:
    done = subprocess.run([sys.executable, "-c", TIMED, str(root), dataset], capture_output=True, text=True, check=True)
    seconds, rows = done.stdout.split()
    assert int(rows) == 15625
    return float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per dataset and source")
    args = parser.parse_args()
    shipped = shipped_data_dir()
    assert shipped is not None, "nas-tables-nb201 is not installed"
    sources = {"shipped": shipped}
    raw = os.environ.get("NAS_RAW_DATA_DIR") or os.environ.get("NAS_DATA_DIR")
    if raw and (Path(raw) / "nb201" / "nasbench201_cifar10.csv").is_file():
        sources["raw"] = Path(raw)
    report: dict[str, object] = {
        "command": "OMP_NUM_THREADS=1 NAS_RAW_DATA_DIR=../shared/data python benchmarks/nb201_tables_load.py",
        "what": "seconds for load_nb201(root, dataset) in a fresh process, after importing nas-core",
        "environment": {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()},
        "shipped_mb": {name: round((shipped / "nb201" / f"{name}.npz").stat().st_size / 1e6, 3) for name in DATASETS.values()},
        "seconds": {},
    }
    for source, root in sources.items():
        for dataset in DATASETS.values():
            runs = [cold_load(root, dataset) for _ in range(args.repeats)]
            report["seconds"][f"{source}/{dataset}"] = {"median": round(statistics.median(runs), 4), "runs": [round(r, 4) for r in runs]}  # type: ignore[index]
            print(f"{source:8s} {dataset:15s} {statistics.median(runs):.3f} s")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nb201_tables_load.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
