"""Tabular benchmarks: the generic table format, its loader, and the NAS-Bench-201 adapter."""

from nas_core.tables.base import Benchmark, Optimum, TableBenchmark
from nas_core.tables.loader import load_benchmark

__all__ = ["Benchmark", "Optimum", "TableBenchmark", "load_benchmark"]
