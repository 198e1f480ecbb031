"""nas_core: hook specifications, search loop, spaces, study storage and tabular benchmarks."""

from nas_core.architecture import Architecture
from nas_core.budget import Budget, BudgetStatus, Usage
from nas_core.config import Config, RunSpec
from nas_core.errors import ArchitectureError, ConfigError, DataError, NasError, PluginError, StorageError, TrialError
from nas_core.hookspecs import hookimpl
from nas_core.options import OptionGroup
from nas_core.registry import Registry
from nas_core.spaces.base import Capability, Decision, SearchSpace
from nas_core.study import Study, StudyView
from nas_core.types import Candidate, Result, Status, Trial

__version__ = "0.1.0"

__all__ = [
    "Architecture", "ArchitectureError", "Budget", "BudgetStatus", "Candidate", "Capability", "Config",
    "ConfigError", "DataError", "Decision", "NasError", "OptionGroup", "PluginError", "Registry", "Result", "RunSpec",
    "SearchSpace", "Status", "StorageError", "Study", "StudyView", "Trial", "TrialError", "Usage", "hookimpl",
]  # fmt: skip
