"""nas_core: hook specifications, search loop, spaces, study storage and benchmark tables.

The public surface is this module and :mod:`nas_core.testing` (the conformance kit, the test
helpers and the built-in dataset loaders), the way ``pytest`` stands in front of ``_pytest``.
Plugins, scripts and tests import from these two only: every other module under ``nas_core``
is private, whatever its name, and may move or change between versions. The in-tree plugins are
held to this by ``tests/test_public_api.py``.

Users who search from Python need three names: ``search`` (``nas search``'s options as keyword
arguments; returns a ``Study``), ``load_study`` (a study file, read-only) and ``Study`` (its
``trials``, ``best``, ``answer`` and ``to_pandas()``). The README's "Python API" shows them.

Names that need torch or torch_geometric (training, measuring, networks, graph encoders), or
SMAC, are loaded on first use (PEP 562), so ``import nas_core`` stays light: a plugin that only
searches a table never imports torch (nor pandas, which only ``Study.to_pandas`` imports).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from nas_core.append_log import AppendLog
from nas_core.ask_tell import Asked, AskTellOptimizer, AskTellStrategy
from nas_core.architecture import Architecture
from nas_core.budget import Budget, BudgetStatus, Usage, budget_status
from nas_core.comparison import RegretBand, regret_bands
from nas_core.config import Config, RunSpec, stable_seed
from nas_core.datasets.base import Dataset, split_and_standardize
from nas_core.errors import (
    ArchitectureError, ConfigError, DataError, NasError, PluginError, StorageError, TrialError, answered_by_another_plugin,
)
from nas_core.estimators import TrainEstimator
from nas_core.exported import ExportedModel, load_exported
from nas_core.fidelity_budgets import FidelityBudgets, best_at_highest_fidelity, fidelity_budgets, fidelity_rank
from nas_core.graph import INPUT as CELL_INPUT
from nas_core.graph import OUTPUT as CELL_OUTPUT
from nas_core.graph import CellGraph
from nas_core.graph import canonical_hash as canonical_cell_hash
from nas_core.hookspecs import hookimpl
from nas_core.options import OptionGroup
from nas_core.registry import DatasetRequest, Registry
from nas_core.pareto import pareto_mask
from nas_core.report import summarize
from nas_core.launch import search
from nas_core.preparation import Prepared, prepare
from nas_core.recorded import Study, load_study
from nas_core.retrain import retrain
from nas_core.session import Session, open_session
from nas_core.settings import Settings, declare, from_options, setting
from nas_core.spaces.base import Capability, Decision, SearchSpace, check_decisions
from nas_core.spaces.mlp import DROPOUT as MLP_DROPOUT
from nas_core.spaces.mlp import MLPChain, MLPSpace
from nas_core.spaces.nb201 import EDGES as NB201_EDGES
from nas_core.spaces.nb201 import NUM_NODES as NB201_NUM_NODES
from nas_core.spaces.nb201 import OPS as NB201_OPS
from nas_core.spaces.nb201 import NB201Cell, NB201Space
from nas_core.spaces.nb201 import canonical_cell_key as nb201_cell_key
from nas_core.spaces.table import TableArch, TableSpace
from nas_core.spend import PlannedSpend
from nas_core.spaces.table import tokenize_all as tokenize_table_encodings
from nas_core.study import StudyView
from nas_core.tables.base import Benchmark, Optimum, TableBenchmark
from nas_core.tables.loader import load_benchmark
from nas_core.training.settings import TrainSettings, cosine_lr
from nas_core.trial_table import TrialTable
from nas_core.types import Candidate, Result, Status, Trial

if TYPE_CHECKING:  # the lazy names below, for type checkers and readers
    from nas_core.graphnn import GCNEncoder, graph_data
    from nas_core.networks.common import output_units
    from nas_core.networks.mixed import MixedOp, sample_paths
    from nas_core.networks.nb201 import Cell as NB201CellModule
    from nas_core.networks.nb201 import NB201Network, ResidualReduction
    from nas_core.smac_search import OrderedLocalAndSortedRandomSearch, smac_forest
    from nas_core.training.device import device_data, one_torch_thread, resolve_device
    from nas_core.training.fit import EVAL_BATCH as EVAL_BATCH_SIZE
    from nas_core.training.fit import DeviceData, accuracy, fit, loss_target, make_loss
    from nas_core.training.measure import mflops, params_millions
    from nas_core.training.search_data import SearchCriterion, SearchSplit, batch_count, epoch_batches, stream_batches
    from nas_core.training.seeding import seeded_torch, torch_generator

__version__ = "0.1.0"

# public name -> (private module, name there): imported on first access, they import torch (or smac)
_LAZY: dict[str, tuple[str, str]] = {
    "GCNEncoder": ("nas_core.graphnn", "GCNEncoder"),
    "graph_data": ("nas_core.graphnn", "graph_data"),
    "output_units": ("nas_core.networks.common", "output_units"),
    "MixedOp": ("nas_core.networks.mixed", "MixedOp"),
    "sample_paths": ("nas_core.networks.mixed", "sample_paths"),
    "NB201CellModule": ("nas_core.networks.nb201", "Cell"),
    "NB201Network": ("nas_core.networks.nb201", "NB201Network"),
    "ResidualReduction": ("nas_core.networks.nb201", "ResidualReduction"),
    "one_torch_thread": ("nas_core.training.device", "one_torch_thread"),
    "device_data": ("nas_core.training.device", "device_data"),
    "seeded_torch": ("nas_core.training.seeding", "seeded_torch"),
    "torch_generator": ("nas_core.training.seeding", "torch_generator"),
    "SearchSplit": ("nas_core.training.search_data", "SearchSplit"),
    "SearchCriterion": ("nas_core.training.search_data", "SearchCriterion"),
    "batch_count": ("nas_core.training.search_data", "batch_count"),
    "epoch_batches": ("nas_core.training.search_data", "epoch_batches"),
    "stream_batches": ("nas_core.training.search_data", "stream_batches"),
    "resolve_device": ("nas_core.training.device", "resolve_device"),
    "EVAL_BATCH_SIZE": ("nas_core.training.fit", "EVAL_BATCH"),
    "DeviceData": ("nas_core.training.fit", "DeviceData"),
    "accuracy": ("nas_core.training.fit", "accuracy"),
    "fit": ("nas_core.training.fit", "fit"),
    "loss_target": ("nas_core.training.fit", "loss_target"),
    "make_loss": ("nas_core.training.fit", "make_loss"),
    "mflops": ("nas_core.training.measure", "mflops"),
    "params_millions": ("nas_core.training.measure", "params_millions"),
    "OrderedLocalAndSortedRandomSearch": ("nas_core.smac_search", "OrderedLocalAndSortedRandomSearch"),
    "smac_forest": ("nas_core.smac_search", "smac_forest"),
}


def __getattr__(name: str) -> Any:
    """PEP 562: a lazy name is imported from its module on first access, then cached here."""
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'nas_core' has no attribute '{name}'") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    # hooks and what flows between them
    "hookimpl", "Candidate", "Result", "Status", "Trial", "Architecture", "BudgetStatus", "budget_status",
    "Usage", "PlannedSpend", "Config", "OptionGroup", "Registry", "DatasetRequest", "Dataset", "split_and_standardize",
    "StudyView", "AppendLog", "stable_seed",
    # any ask/tell optimizer (SMAC, Optuna, ...) as a strategy
    "AskTellStrategy", "AskTellOptimizer", "Asked",
    # Hyperband's budgets as fidelities (epochs of training, or a table's recorded fidelities), and
    # a multi-fidelity search's answer
    "FidelityBudgets", "fidelity_budgets", "fidelity_rank", "best_at_highest_fidelity",
    # errors
    "NasError", "ConfigError", "PluginError", "ArchitectureError", "TrialError", "DataError", "StorageError",
    "answered_by_another_plugin",
    # search spaces and their cells
    "SearchSpace", "Capability", "Decision", "check_decisions", "CellGraph", "CELL_INPUT", "CELL_OUTPUT",
    "canonical_cell_hash", "NB201Space", "NB201Cell", "NB201_OPS", "NB201_EDGES", "NB201_NUM_NODES",
    "nb201_cell_key", "MLPSpace", "MLPChain", "MLP_DROPOUT", "TableSpace", "TableArch",
    "tokenize_table_encodings",
    # benchmark tables
    "Benchmark", "TableBenchmark", "Optimum", "load_benchmark",
    # running searches, reading studies
    "search", "load_study", "Study", "TrialTable", "RunSpec", "Budget", "open_session", "Session", "summarize", "retrain",
    "prepare", "Prepared",  # a run spec's plugins, resolved options, space and data, without running it
    # nas bench results and Pareto fronts, as nas plot draws them
    "regret_bands", "RegretBand", "pareto_mask",
    # an exported model run on raw rows or samples
    "ExportedModel", "load_exported",
    "TrainEstimator", "TrainSettings", "cosine_lr",
    # settings that declare their options and check their values
    "Settings", "setting", "declare", "from_options",
    # lazy (torch, torch_geometric): training, measuring, networks, graph encoders
    "DeviceData", "device_data", "seeded_torch", "torch_generator", "EVAL_BATCH_SIZE", "fit", "accuracy", "loss_target", "make_loss",
    "resolve_device", "one_torch_thread", "mflops", "params_millions", "output_units", "NB201Network",
    "NB201CellModule", "ResidualReduction", "GCNEncoder", "graph_data", "MixedOp", "sample_paths",
    # lazy (torch): the bi-level data protocol of differentiable searches (DARTS, NASIB)
    "SearchSplit", "SearchCriterion", "batch_count", "epoch_batches", "stream_batches",
    # lazy (smac): SMAC's acquisition maximizer, reproducible across processes, and its forest, fast
    "OrderedLocalAndSortedRandomSearch", "smac_forest",
]  # fmt: skip
