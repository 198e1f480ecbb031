"""Derive the compact NB201 tables of nas-tables-nb201 from the raw tables, reproducibly.

    .venv/bin/python data/nas-tables-nb201/tools/build.py ../shared/data

reads ``<raw>/nb201/`` (the layout of its README), joins it exactly as ``--benchmark nb201`` does
on the raw files (``nas_core.tables.nb201.raw``) and writes ``nb201/<dataset>.npz`` into the
package, with ``nb201/manifest.json``: the sha256 of every raw file read and of every file
written, the rows and the columns. The same raw files give the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from nas_core.tables.nb201 import DATASETS
from nas_core.tables.nb201.compact import compact_path, write_compact
from nas_core.tables.nb201.raw import read_raw, source_files

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "nas_tables_nb201"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(raw: Path, out: Path) -> dict[str, object]:
    """Write every dataset's table under ``out`` and return the manifest that describes them."""
    sources: dict[str, str] = {}
    tables: dict[str, object] = {}
    for dataset in DATASETS.values():
        for relative in source_files(dataset):
            sources[relative] = sha256(raw / relative)
        rows = read_raw(raw, dataset)
        path = compact_path(out, dataset)
        write_compact(path, rows)
        tables[path.relative_to(out).as_posix()] = {
            "sha256": sha256(path), "rows": len(rows.cells), "columns": list(rows.columns),
        }  # fmt: skip
    return {"derived_by": "data/nas-tables-nb201/tools/build.py", "sources": dict(sorted(sources.items())), "tables": tables}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path, help="the folder that contains nb201/ (raw tables)")
    args = parser.parse_args()
    manifest = build(args.raw, PACKAGE)
    (PACKAGE / "nb201" / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    for name, table in manifest["tables"].items():  # type: ignore[union-attr]
        print(f"{name}: {table['rows']} rows, {(PACKAGE / name).stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
