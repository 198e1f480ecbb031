"""Trials on Dask workers: the driver proposes, screens and records; workers estimate.

What runs where: de-duplication, validation, filters and predictors, every plugin's own estimator
and all state stay in the driver, which is the only writer of the study. The core's table lookup
and training run on the workers, each of which rebuilds the run from its spec (importing only the
named plugins, for the datasets, spaces and options they declare) and trains with one torch thread.

Faults: a trial whose worker dies is rescheduled once on another worker by the scheduler
(``allowed-failures = 1`` on clusters nas starts); if that worker dies too the trial is recorded as
failed and the search goes on.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from nas_core.tables.files import ENV as DATA_ENV
from nas_core.config import RunSpec
from nas_core.errors import ConfigError, NasError
from nas_core.types import Candidate, Result

ALLOWED_WORKER_DEATHS = 1


@dataclass(frozen=True)
class Finished:
    candidate: Candidate
    result: Result
    started: float
    finished: float


class DaskExecutor:
    """A Dask client on a LocalCluster it starts (``workers``) or on a running scheduler."""

    def __init__(self, spec: RunSpec) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise NasError("parallel trials need Dask: pip install 'nas-core[dask]'") from None
        self._cluster = None
        if spec.scheduler:
            try:
                self.client = Client(spec.scheduler, timeout="20s")
                self.client.wait_for_workers(1, timeout=60)
            except (OSError, TimeoutError) as exc:
                raise ConfigError(f"cannot use the Dask scheduler at {spec.scheduler}: {exc}") from None
        else:
            with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_WORKER_DEATHS}):
                self._cluster = LocalCluster(
                    n_workers=spec.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":8787" if spec.dashboard else None,
                    silence_logs=logging.ERROR,  # restarts of dead workers are handled, not news
                )
            self.client = Client(self._cluster)
        self._spec_json = json.dumps(spec.to_dict(), sort_keys=True)
        self._futures: dict[Any, tuple[Candidate, float]] = {}

    @property
    def slots(self) -> int:
        """How many trials can run at once: the workers' threads."""
        return max(1, sum(self.client.nthreads().values()))

    @property
    def dashboard(self) -> str | None:
        return self.client.dashboard_link if self._cluster is not None and self._cluster.dashboard_link else None

    def submit(self, candidate: Candidate) -> None:
        future = self.client.submit(
            estimate_on_worker, self._spec_json, json.dumps(candidate.to_dict()), pure=False,
            key=f"nas-trial-{candidate.trial_id}-{time.monotonic_ns()}",
        )  # fmt: skip
        self._futures[future] = (candidate, time.time())

    def next_finished(self) -> Finished:
        """The next trial to finish, in completion order."""
        from distributed import wait
        from distributed.scheduler import KilledWorker

        done = wait(list(self._futures), return_when="FIRST_COMPLETED").done
        future = min(done, key=lambda f: self._futures[f][0].trial_id)  # ties: the older trial first
        candidate, started = self._futures.pop(future)
        try:
            payload, artifacts = future.result()
            result = Result.from_dict(payload)
            if artifacts:
                result = Result(result.status, result.objective, result.metrics, result.cost_seconds, result.info, artifacts)
        except NasError:
            raise
        except KilledWorker:
            result = Result.failed("the workers running this trial died twice (it was retried once on another worker)")
        except Exception as exc:  # noqa: BLE001 - a lost or broken worker fails this trial only
            result = Result.failed(f"worker failure: {type(exc).__name__}: {exc}")
        return Finished(candidate, result, started, time.time())

    def cancel_all(self) -> None:
        if self._futures:
            self.client.cancel(list(self._futures))
            self._futures.clear()

    def close(self) -> None:
        self.cancel_all()
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def estimate_on_worker(spec_json: str, candidate_json: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Runs in a worker process: the run's own estimator, with the core's failure handling."""
    from nas_core.failures import estimate_safely

    estimator, space = _worker_estimator(spec_json)
    candidate = Candidate.from_dict(json.loads(candidate_json), space.decode)
    result = estimate_safely(lambda: estimator.estimate(candidate))
    return result.to_dict(), dict(result.artifacts)


@lru_cache(maxsize=2)
def _worker_estimator(spec_json: str) -> tuple[Any, Any]:
    """Built once per worker process and run: the benchmark or the dataset is loaded once."""
    from nas_core.estimators import TableEstimator, make_train_estimator
    from nas_core.session import prepare

    spec = RunSpec.from_dict(json.loads(spec_json))
    local_data = os.environ.get(DATA_ENV)
    if spec.data_dir and not Path(spec.data_dir).is_dir() and local_data:
        spec = replace(spec, data_dir=local_data)  # a worker on another machine keeps its data elsewhere
    prepared = prepare(spec)
    if prepared.benchmark is not None:
        return TableEstimator(prepared.benchmark), prepared.space
    if prepared.dataset is None:
        raise ConfigError("workers have nothing to estimate with: give --benchmark or --dataset")
    import torch

    torch.set_num_threads(1)  # one trial per worker thread; several workers share the cores
    estimator = make_train_estimator(prepared.space, prepared.dataset, prepared.options, spec.seed, spec.device)
    return estimator, prepared.space
