"""The driver's side of parallel trials: a Dask client, and the hook that hands estimates to it."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nas_core.config import RunSpec
from nas_core.errors import ConfigError, NasError
from nas_core.hookspecs import hookimpl
from nas_core.parallel.worker import estimate_on_worker
from nas_core.study import StudyView
from nas_core.types import Candidate, Result, Status

if TYPE_CHECKING:
    from distributed import LocalCluster

ALLOWED_WORKER_DEATHS = 1
DASK_MISSING = "parallel trials need Dask: pip install 'nas-core[dask]'"


@dataclass(frozen=True)
class Finished:
    candidate: Candidate
    result: Result
    started: float
    finished: float


def local_cluster(workers: int, *, dashboard: bool = False) -> LocalCluster:
    """The cluster ``--workers`` starts: ``workers`` single-threaded processes, and a trial whose
    worker dies retried once on another (the conformance kit shares one such cluster)."""
    try:
        import dask
        from distributed import LocalCluster
    except ImportError:
        raise NasError(DASK_MISSING) from None
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_WORKER_DEATHS}):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":8787" if dashboard else None,
            silence_logs=logging.ERROR,  # restarts of dead workers are handled, not news
        )


class DaskExecutor:
    """A Dask client on a LocalCluster it starts (``workers``) or on a running scheduler."""

    def __init__(self, spec: RunSpec) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise NasError(DASK_MISSING) from None
        self._cluster = None
        if spec.scheduler:
            try:
                self.client = Client(spec.scheduler, timeout="20s")
                self.client.wait_for_workers(1, timeout=60)
            except ValueError as exc:  # dask's word for a malformed address
                raise ConfigError(f"--scheduler {spec.scheduler!r} is not a Dask address such as tcp://host:8786 ({exc})") from None
            except (OSError, TimeoutError) as exc:  # a server that is down, not a usage error: exit 1
                raise NasError(f"cannot use the Dask scheduler at {spec.scheduler}: {exc}") from None
        else:
            self._cluster = local_cluster(spec.workers, dashboard=spec.dashboard)
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


class Dispatcher:
    """In parallel runs, the run's own estimator as a ``trylast`` hook: every plugin's estimator,
    de-duplication and any filter answer before it, in the driver. It answers ``Status.PENDING``;
    the loop collects the worker's result when it is ready."""

    def __init__(self, executor: DaskExecutor) -> None:
        self.executor = executor

    @hookimpl(trylast=True)
    def nas_estimate(self, candidate: Candidate, study: StudyView) -> Result:
        self.executor.submit(candidate)
        return Result(Status.PENDING)
