"""The worker's side of parallel trials: prepare the run once per process, estimate candidates."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from nas_core.tables.files import ENV as DATA_ENV
from nas_core.config import RunSpec
from nas_core.errors import ConfigError
from nas_core.estimators import Estimator
from nas_core.failures import estimate_safely
from nas_core.preparation import prepare
from nas_core.spaces.base import SearchSpace
from nas_core.types import Candidate


def estimate_on_worker(spec_json: str, candidate_json: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Runs in a worker process: the run's own estimator, with the core's failure handling."""
    estimator, space = _worker_estimator(spec_json)
    candidate = Candidate.from_dict(json.loads(candidate_json), space.decode)
    result = estimate_safely(lambda: estimator.estimate(candidate))
    return result.to_dict(), dict(result.artifacts)


@lru_cache(maxsize=2)
def _worker_estimator(spec_json: str) -> tuple[Estimator, SearchSpace]:
    """Built once per worker process and run: the benchmark or the dataset is loaded once."""
    spec = RunSpec.from_dict(json.loads(spec_json))
    local_data = os.environ.get(DATA_ENV)
    if spec.data_dir and not Path(spec.data_dir).is_dir() and local_data:
        spec = replace(spec, data_dir=local_data)  # a worker on another machine keeps its data elsewhere
    prepared = prepare(spec)
    if prepared.benchmark is None and prepared.dataset is not None:
        import torch

        torch.set_num_threads(1)  # one trial per worker thread; several workers share the cores
    estimator = prepared.estimator()
    if estimator is None:
        raise ConfigError("workers have nothing to estimate with: give --benchmark or --dataset")
    return estimator, prepared.space
