"""Running a retrain-bench: the pieces not done yet, one after another or in worker processes.

The pieces are searches (a study file each, written as ``nas search`` writes it, resumed where a
kill left it), retrainings of a search's answer (``nas retrain``'s :func:`~nas_core.retrain.retrain`
on the study, so the numbers are the ones ``nas retrain STUDY --seed R`` prints) and retrainings
of the random architectures (the same training, :func:`~nas_core.retrain.train_from_scratch`,
under the first method's run settings). Every architecture is retrained with the same seeds, so
answers and random architectures are paired by seed. Only this process writes the log and the
report; workers run pieces and hand back their results.
"""

from __future__ import annotations

import os
import platform
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from nas_core.comparison import environment
from nas_core.config import RunSpec
from nas_core.errors import StorageError, reading_study
from nas_core.export import StudyBest
from nas_core.plugin_sets import Method
from nas_core.report import summarize
from nas_core.retrain import retrain, train_from_scratch
from nas_core.retrain_bench.log import RunLog, protocol
from nas_core.retrain_bench.plan import RetrainBenchPlan
from nas_core.retrain_bench.summary import mean_std, over_search_seeds, random_distribution, standing
from nas_core.session import open_session
from nas_core.storage import StudyStorage
from nas_core.types import Status

# What a retraining's result keeps in the log (its architecture and seed are the record's key).
_NOT_KEPT = ("arch", "seed", "trial_id", "searched_metrics", "dataset")

Progress = Callable[[int, int, str], None]  # pieces done (run or found done), of all, what just ended


def search(spec: RunSpec, study: str) -> None:
    """One search into its study file; continues the study a kill left unfinished."""
    session = open_session(spec, study, resume=Path(study).exists())
    try:
        session.run()
    finally:
        session.close()


@dataclass(frozen=True)
class _Piece:
    call: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    record: Mapping[str, Any]  # logged with the result
    what: str


@dataclass
class _Answer:
    """What a finished search contributes, read once: its answer, the study's summary and the
    metrics of its last completed trial (for DARTS, the supernet after the last epoch and the
    collapse watch of the cell derived from it, which is the answer)."""

    best: StudyBest | None
    summary: dict[str, Any]
    last_metrics: dict[str, Any] | None
    error: str | None = None


def run_retrain_bench(
    plan: RetrainBenchPlan,
    *,
    jobs: int = 1,
    command: str = "",
    progress: Progress | None = None,
    checkpoint: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Every piece of ``plan`` not in its log yet, then the report (``complete``). ``progress``
    hears of every piece that ends, ``checkpoint`` gets the report so far after each (``complete``
    false), so a stopped bench can be read; ``command`` is recorded as what produced it."""
    plan.check_studies()  # before anything is written
    random = plan.sample_random()
    plan.folder.mkdir(parents=True, exist_ok=True)
    bench = _Bench(plan, random, plan.reference_spec(), RunLog(plan.log_path), command, progress, checkpoint)
    return bench.run(jobs)


@dataclass
class _Bench:
    plan: RetrainBenchPlan
    random: list[dict[str, Any]]  # the random architectures
    reference: RunSpec  # the run settings they are retrained under
    log: RunLog
    command: str
    progress: Progress | None
    checkpoint: Callable[[dict[str, Any]], None] | None
    _answers: dict[Path, _Answer] = field(default_factory=dict)
    total: int = 0
    done: int = 0

    def run(self, jobs: int) -> dict[str, Any]:
        plan = self.plan
        pieces = self._pending()
        searches = sum(piece.record["kind"] == "search" for piece in pieces)
        self.total = self._all_pieces()
        self.done = self.total - len(pieces) - searches * len(plan.retrain_seeds)
        if self.done and self.progress is not None:
            self.progress(self.done, self.total, "done earlier (in the log), skipped")
        if jobs > 1:
            self._in_workers(pieces, jobs)
        else:
            queue = deque(pieces)
            while queue:
                piece = queue.popleft()
                queue.extendleft(reversed(self._finished(piece, piece.call(*piece.args, **piece.kwargs))))
        return self.results(complete=True)

    def _all_pieces(self) -> int:
        plan = self.plan
        return len(plan.methods) * len(plan.seeds) * (1 + len(plan.retrain_seeds)) + len(self.random) * len(plan.retrain_seeds)

    def _in_workers(self, pieces: Iterable[_Piece], jobs: int) -> None:
        """Pieces on ``jobs`` processes; a search's retrainings go to the front of the queue, so
        finished methods fill in before random architectures."""
        queue = deque(pieces)
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            running: dict[Future[Any], _Piece] = {}
            while queue or running:
                while queue and len(running) < jobs:
                    piece = queue.popleft()
                    running[pool.submit(piece.call, *piece.args, **piece.kwargs)] = piece
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    piece = running.pop(future)
                    queue.extendleft(reversed(self._finished(piece, future.result())))

    # -- pieces -----------------------------------------------------------------------------------

    def _pending(self) -> list[_Piece]:
        plan = self.plan
        pieces: list[_Piece] = []
        for method in plan.methods:
            for seed in plan.seeds:
                study = plan.study_path(method, seed)
                if study.exists() and self.log.search(study, plan.budget):
                    pieces += self._answer_retrainings(method, seed)
                else:
                    record = {"kind": "search", "method": method.label, "seed": seed, "study": str(study), "budget": plan.budget.to_dict()}
                    pieces.append(_Piece(search, (plan.search_spec(method, seed), str(study)), {}, record, f"search {method.label} seed {seed}"))
        for index, arch in enumerate(self.random):
            for retrain_seed in plan.retrain_seeds:
                if self.log.retraining(arch, retrain_seed, plan.retrain_epochs, self.reference) is None:
                    args = (self.reference, arch, plan.retrain_epochs)
                    record = self._retrain_record(arch, retrain_seed, self.reference, f"random {index}")
                    what = f"retrain random architecture {index}, retraining seed {retrain_seed}"
                    pieces.append(_Piece(train_from_scratch, args, self._retraining(retrain_seed), record, what))
        return pieces

    def _answer_retrainings(self, method: Method, seed: int) -> list[_Piece]:
        plan = self.plan
        study = plan.study_path(method, seed)
        best = self._answer(study).best
        if best is None:
            return []
        pieces = []
        for retrain_seed in plan.retrain_seeds:
            if self.log.retraining(best.arch, retrain_seed, plan.retrain_epochs, best.spec) is None:
                record = self._retrain_record(best.arch, retrain_seed, best.spec, f"{method.label} seed {seed}")
                what = f"retrain {method.label} seed {seed}'s answer, retraining seed {retrain_seed}"
                pieces.append(_Piece(retrain, (str(study), plan.retrain_epochs), self._retraining(retrain_seed), record, what))
        return pieces

    def _retraining(self, seed: int) -> dict[str, Any]:
        return {"seed": seed, "device": self.plan.device}

    def _retrain_record(self, arch: Mapping[str, Any], seed: int, spec: RunSpec, of: str) -> dict[str, Any]:
        return {"kind": "retrain", "of": of, "arch": arch, "seed": seed, "epochs": self.plan.retrain_epochs, "protocol": protocol(spec)}

    def _finished(self, piece: _Piece, result: Any) -> list[_Piece]:
        """Log a piece that ended, report progress and the results so far; its follow-ups."""
        self.done += 1
        if piece.record["kind"] == "search":
            self.log.add(piece.record)
            follow_ups = self._answer_retrainings(*self._method_seed(piece.record))
            self.done += len(self.plan.retrain_seeds) - len(follow_ups)
            answer = self._answer(Path(piece.record["study"]))
            line = f"{piece.what}: " + (answer.error or f"stopped ({answer.summary.get('stopped')})")
        else:
            kept = {k: v for k, v in result.items() if k not in _NOT_KEPT}
            self.log.add({**piece.record, "result": kept})
            follow_ups = []
            line = f"{piece.what}: test {kept['test_acc']:.2f}%"
        if self.progress is not None:
            self.progress(self.done, self.total, line)
        if self.checkpoint is not None:
            self.checkpoint(self.results(complete=False))
        return follow_ups

    def _method_seed(self, record: Mapping[str, Any]) -> tuple[Method, int]:
        method = next(m for m in self.plan.methods if m.label == record["method"])
        return method, int(record["seed"])

    def _answer(self, study: Path) -> _Answer:
        if study not in self._answers:
            summary, last = summarize(study), _last_completed_metrics(study)
            try:
                self._answers[study] = _Answer(StudyBest.read(study), summary, last)
            except StorageError as exc:  # no trial completed: nothing to retrain
                self._answers[study] = _Answer(None, summary, last, str(exc))
        return self._answers[study]

    # -- the report -------------------------------------------------------------------------------

    def results(self, complete: bool) -> dict[str, Any]:
        plan = self.plan
        random = [self._random_entry(i, arch) for i, arch in enumerate(self.random)]
        random_means = [r["test_acc_mean"] for r in random if r["test_acc_mean"] is not None]
        methods = {}
        for method in plan.methods:
            runs = [self._run_entry(method, seed) for seed in plan.seeds if self.log.search(plan.study_path(method, seed), plan.budget)]
            retrained = [r for r in runs if r["test_acc_mean"] is not None]
            summary = over_search_seeds([r["test_acc_mean"] for r in retrained], [r["test_acc_std"] for r in retrained])
            methods[method.label] = {
                "plugins": list(method.plugins),
                "options": dict(method.options),
                "summary": {**summary, "searches": len(runs), **standing(summary["test_acc_mean"], random_means)},
                "runs": runs,
            }
        return {
            "command": self.command,
            "complete": complete,
            "plan": plan.to_dict(),
            "machine": machine(),
            "methods": methods,
            "random": {
                "seed": plan.random_seed,
                "retrained_like": plan.methods[0].label,
                "summary": random_distribution(random_means),
                "architectures": random,
            },
        }

    def _retrainings(self, arch: Mapping[str, Any], spec: RunSpec, command: Callable[[int], str] | None) -> dict[str, Any]:
        """One architecture's retrainings found in the log, by seed; mean and std once all are."""
        plan = self.plan
        found = []
        for seed in plan.retrain_seeds:
            record = self.log.retraining(arch, seed, plan.retrain_epochs, spec)
            if record is not None:
                found.append({"seed": seed, **record["result"], **({"command": command(seed)} if command else {})})
        accuracies = [r["test_acc"] for r in found] if len(found) == len(plan.retrain_seeds) else []
        spread = mean_std(accuracies)
        return {"retrains": found, "test_acc_mean": spread["mean"], "test_acc_std": spread["std"]}

    def _run_entry(self, method: Method, seed: int) -> dict[str, Any]:
        plan = self.plan
        study = plan.study_path(method, seed)
        answer = self._answer(study)
        used = answer.summary["budget_used"]
        entry: dict[str, Any] = {
            "seed": seed,
            "study": str(study),
            "search_command": plan.search_command(method, seed),
            "stopped": answer.summary["stopped"],
            "trials": answer.summary["trials"],
            "search_seconds": used["cost_seconds"],
            "search_wall_seconds": used["wall_seconds"],
            "last_trial_metrics": answer.last_metrics,
        }
        if answer.best is None:
            return {**entry, "answer": None, "error": answer.error, "retrains": [], "test_acc_mean": None, "test_acc_std": None}
        row = answer.best.row
        return {
            **entry,
            "answer": answer.best.arch,
            "answer_trial": None if row is None else row.trial_id,
            "answer_metrics": None if row is None else row.result["metrics"],  # of the trial that evaluated it, if one did
            **self._retrainings(answer.best.arch, answer.best.spec, lambda r: plan.retrain_command(study, r)),
        }

    def _random_entry(self, index: int, arch: Mapping[str, Any]) -> dict[str, Any]:
        return {"index": index, "arch": arch, **self._retrainings(arch, self.reference, None)}


def _last_completed_metrics(study: Path) -> dict[str, Any] | None:
    storage = StudyStorage.open(study, writer=False)
    try:
        with reading_study(study):
            completed = [row for row in storage.trials() if row.result["status"] == Status.COMPLETE]
    finally:
        storage.close()
    return completed[-1].result["metrics"] if completed else None


def machine() -> dict[str, Any]:
    """Where the numbers were measured: the host, its cores and threads, the libraries' versions."""
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "environment": environment(),
    }
