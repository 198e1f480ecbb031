"""Tests read the real benchmark tables: the copy shipped in data/nas-tables-nb201, or the raw
tables in NAS_DATA_DIR where it is set (test_shipped_tables.py compares the two)."""

import os
from pathlib import Path

# Helper plugins for the tests live in tests/nastest_plugins and are loaded by module path
# (``--plugin nastest_plugins.slow``), in this process and in the `nas` subprocesses.
import sys

TESTS = str(Path(__file__).resolve().parent)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (TESTS, os.environ.get("PYTHONPATH", "")) if p)

# tests/third_party holds plugin distributions written as outsiders would, with their own tests;
# test_third_party_plugins.py installs them and runs those tests against the installed packages.
collect_ignore = ["third_party"]
