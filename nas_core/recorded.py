"""A search as its user reads it, once it has run: what :func:`nas_core.search` returns and
:func:`load_study` opens from a study file.

A :class:`Study` is a snapshot of the file when it was read, taken without the writer's lock:
a study that another process is still writing can be loaded, and :meth:`Study.refresh` reads
the trials recorded since (only those: watching a long search stays cheap). Its table (``to_pandas``, ``table``) needs no plugin; its trials and
answer are decoded by the searched space, which loads the plugins the search used.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from nas_core.architecture import Architecture
from nas_core.config import RunSpec
from nas_core.errors import NasError, reading_study
from nas_core.preparation import study_space
from nas_core.report import answer_row, summarize_rows
from nas_core.spaces.base import SearchSpace
from nas_core.storage import MEMORY, StudyStorage, TrialRow, held_by_a_writer
from nas_core.trial_table import TrialTable, extend_table, trial_table
from nas_core.types import Candidate, Result, Trial

if TYPE_CHECKING:
    import pandas


class Study:
    """A recorded search: its run spec, every trial, and its answer.

    ``best`` is the trial the search answers with, the one ``nas show``, ``nas export`` and
    ``nas retrain`` use: the trial of the architecture a strategy named as its answer
    (``nas_answer``, as DARTS does), else the completed trial with the highest objective.
    """

    def __init__(
        self,
        path: str | None,
        spec: RunSpec,
        meta: dict[str, Any],
        rows: Sequence[TrialRow],
        space: SearchSpace | None = None,
        running: bool | None = False,
    ) -> None:
        self.path = path  # None for a search that kept its study in memory
        self.spec = spec
        self.stopped: str | None = meta.get("stopped")  # why the search ended, once it has
        # whether a search was writing the file when it was read (None: the system does not say)
        self.running = running
        self._meta = meta
        self._rows = tuple(rows)
        self._space = space
        self._table: TrialTable | None = None  # built on first use

    @classmethod
    def read(cls, storage: StudyStorage, space: SearchSpace | None = None) -> Study:
        """What ``storage`` holds now; ``space`` (the searched one) saves rebuilding it to decode."""
        with reading_study(storage.path):
            meta = storage.meta()
            spec = RunSpec.from_dict(meta["spec"])
            rows = list(storage.trials())
        return cls._of(storage, spec, meta, rows, space)

    @classmethod
    def _of(cls, storage: StudyStorage, spec: RunSpec, meta: dict[str, Any], rows: Sequence[TrialRow],
            space: SearchSpace | None) -> Study:  # fmt: skip
        if storage.path == MEMORY:
            return cls(None, spec, meta, rows, space)
        return cls(storage.path, spec, meta, rows, space, held_by_a_writer(storage.path))

    def refresh(self) -> Study:
        """The study as its file holds it now, read without the writer's lock like
        :func:`load_study`. Only the trials recorded since this snapshot are read; the others are
        kept as read (a trial never changes once recorded), and so is the part of the table built
        from them. A file that holds another study now (made anew at the same path) is read
        whole. A study kept in memory is returned as it is."""
        if self.path is None:
            return self
        storage = StudyStorage.open(self.path, writer=False)
        try:
            with reading_study(self.path):
                with storage.reading():  # as short as the reads: the rows are decoded after it
                    meta = storage.meta()
                    if meta.get("created") != self._meta.get("created"):
                        return Study.read(storage)
                    count, highest = storage.trial_count()
                    last = self._rows[-1].trial_id if self._rows else -1
                    fetched = storage.trials(from_id=last + 1) if highest is not None and highest > last else iter(())
                after = list(fetched)
                table = None
                if len(self._rows) + len(after) == count:  # the usual case: the new trials come after the known ones
                    rows = [*self._rows, *after]
                    if self._table is not None:
                        table = extend_table(self._table, after)
                else:  # a trial recorded out of id order (parallel workers): find the new ones by id
                    known = {row.trial_id for row in self._rows}
                    recorded = storage.trial_ids()
                    if not known.issubset(recorded):
                        return Study.read(storage)
                    new = sorted(set(recorded) - known)
                    rows = sorted([*self._rows, *(r for r in storage.trials(from_id=new[0]) if r.trial_id not in known)],
                                  key=lambda row: row.trial_id)  # fmt: skip
                spec = RunSpec.from_dict(meta["spec"])
            built = self.__dict__.get("space", self._space)  # the searched space, if built already
            study = Study._of(storage, spec, meta, rows, built if spec == self.spec else None)
            study._table = table
            return study
        finally:
            storage.close()

    def plugin_states(self) -> dict[str, Any]:
        """Every plugin's state as the search stored it with its last trial, by state name
        (``"<plugin>.<Class>"``), read from the file now: what ``--resume`` would continue from,
        so a plugin can rebuild its search (DARTS' searched supernet) to ask it more. A study kept
        in memory stores no states."""
        if self.path is None:
            return {}
        storage = StudyStorage.open(self.path, writer=False)
        try:
            return storage.states()
        finally:
            storage.close()

    @cached_property
    def space(self) -> SearchSpace:
        """The searched space, which decodes the study's architectures (built, for a study file,
        from the plugins the search used)."""
        return self._space if self._space is not None else study_space(self.spec)

    @cached_property
    def trials(self) -> list[Trial]:
        """Every recorded trial, in trial order, its architecture decoded by the searched space."""
        with reading_study(self.path or MEMORY):
            return [self._decoded(row) for row in self._rows]

    def trial(self, trial_id: int) -> Trial:
        """The trial of this id, decoding its architecture alone (a viewer of one trial of a
        long study need not decode them all); KeyError when the study has no such trial."""
        found = bisect.bisect_left(self._rows, trial_id, key=lambda row: row.trial_id)
        if found == len(self._rows) or self._rows[found].trial_id != trial_id:
            raise KeyError(f"no trial {trial_id} in {self.path or 'the study'}")
        with reading_study(self.path or MEMORY):
            return self._decoded(self._rows[found])

    def _decoded(self, row: TrialRow) -> Trial:
        return Trial(Candidate.from_dict(row.candidate, self.space.decode), Result.from_dict(row.result), row.started, row.finished)

    @property
    def best(self) -> Trial | None:
        """The trial of the search's answer; None before any completed trial, and when the
        answer a strategy named was never evaluated as a trial (see :attr:`answer`)."""
        _, row = self._answer
        if row is None:
            return None
        return self.trial(row.trial_id)

    @property
    def answer(self) -> Architecture | None:
        """The architecture the search answers with (that of :attr:`best`, or the one a strategy
        named without evaluating it); None before any completed trial."""
        arch, _ = self._answer
        if arch is None:
            return None
        return self.space.decode(arch)

    @cached_property
    def _answer(self) -> tuple[dict[str, Any] | None, TrialRow | None]:
        with reading_study(self.path or MEMORY):
            return answer_row(self._meta, list(self._rows))

    def summary(self) -> dict[str, Any]:
        """What :func:`nas_core.summarize` says of the file (``nas show --json``), for this snapshot."""
        with reading_study(self.path or MEMORY):
            return summarize_rows(self.path or MEMORY, self._meta, list(self._rows))

    def table(self) -> TrialTable:
        """Every trial as a row of plain values: the columns of ``nas trials``."""
        if self._table is None:
            with reading_study(self.path or MEMORY):
                self._table = trial_table(self._rows)
        return self._table

    def to_pandas(self) -> pandas.DataFrame:
        """One row per trial, the columns of ``nas trials`` (needs ``pip install 'nas-core[pandas]'``)."""
        try:
            import pandas
        except ImportError:
            raise NasError("Study.to_pandas() needs pandas: pip install 'nas-core[pandas]'") from None
        table = self.table()
        return pandas.DataFrame(list(table.records), columns=list(table.columns))

    def __repr__(self) -> str:
        where = self.path or "in memory"
        return f"<Study {where}: {'+'.join(self.spec.plugins)}, {len(self._rows)} trials>"


def load_study(path: str | os.PathLike[str]) -> Study:
    """The study recorded in the file at ``path``, opened read-only (a running search is not
    disturbed, nor refused); a file that is not a study is a one-line StorageError."""
    storage = StudyStorage.open(path, writer=False)
    try:
        return Study.read(storage)
    finally:
        storage.close()
