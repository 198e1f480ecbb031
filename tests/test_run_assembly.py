"""How a run is put together: the run's own estimator is chosen once, duplicates never reach a
plugin, and reading a stored study needs only the study file and the space's code."""

import os
from pathlib import Path

from cli_helpers import nas, nas_json
from nas_core.budget import Budget
from nas_core.config import RunSpec
from nas_core.estimators import CoreEstimator, TableEstimator, TrainEstimator
from nas_core.export import StudyBest
from nas_core.preparation import study_space
from nas_core.session import open_session
from nas_core.testing import require_data_dir
from nastest_plugins import sees_candidates


def test_a_table_run_looks_up_and_a_data_run_trains_through_one_core_estimator() -> None:
    on_table = RunSpec(("random",), Budget(trials=2), benchmark="nb201", dataset="cifar10", data_dir=require_data_dir())
    on_data = RunSpec(("random",), Budget(trials=1), dataset="digits", space="mlp", options={"train_epochs": 1}, device="cpu")
    for spec, kind in ((on_table, TableEstimator), (on_data, TrainEstimator)):
        session = open_session(spec)
        try:
            registered = session.plugins.get("core.estimator")
            assert isinstance(registered, CoreEstimator) and isinstance(registered.estimator, kind)
            session.run()
            assert len(session.study.trials) == spec.budget.trials
        finally:
            session.close()


def test_duplicates_are_answered_by_the_loop_before_any_plugin_sees_them() -> None:
    sees_candidates.SEEN.clear()
    spec = RunSpec(("evolution", "nastest_plugins.sees_candidates"), Budget(trials=150), benchmark="nb201",
                   dataset="cifar10", data_dir=require_data_dir())  # fmt: skip
    session = open_session(spec)
    try:
        session.run()
        assert session.study.duplicates > 0
        assert len(sees_candidates.SEEN) == len(set(sees_candidates.SEEN)) == 150
    finally:
        session.close()


def test_a_table_study_reads_without_its_data(tmp_path: Path) -> None:
    """Drawing and exporting a stored NB201 cell reads no table: the data folder may be gone."""
    data = tmp_path / "data"
    os.symlink(require_data_dir(), data)
    db = tmp_path / "cells.db"
    nas_json("search", "--plugin", "evolution", "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "6",
             "--data-dir", str(data), "--storage", str(db), "--json")  # fmt: skip
    data.unlink()
    best = StudyBest.read(db)
    assert best.architecture(study_space(best.spec)).key
    drawn = nas("draw", str(db), "-o", str(tmp_path / "cell.png"))
    assert drawn.returncode == 0, drawn.stderr
    exported = nas("export", str(db), "--format", "json", "-o", str(tmp_path / "cell.json"))
    assert exported.returncode == 0, exported.stderr


def test_the_training_estimator_builds_inside_the_spaces_building_block() -> None:
    """What a strategy asked for with a candidate (its meta) reaches the space wherever training runs."""
    from contextlib import contextmanager

    from nas_core.datasets.builtin import digits
    from nas_core.registry import DatasetRequest
    from nas_core.spaces.mlp import MLPSpace
    from nas_core.training.device import device_data
    from nas_core.training.settings import TrainSettings
    from nas_core.types import Candidate

    class RecordingSpace(MLPSpace):
        def __init__(self) -> None:
            super().__init__(max_layers=2)
            self.inside: list[tuple[dict, bool]] = []
            self.open = False

        @contextmanager
        def building(self, candidate):
            self.open = True
            try:
                yield
            finally:
                self.open = False
                self.inside.append((dict(candidate.meta), True))

        def build(self, arch, input_shape, num_classes):
            assert self.open, "built outside the building block"
            return super().build(arch, input_shape, num_classes)

    space = RecordingSpace()
    estimator = TrainEstimator(space, device_data(digits(DatasetRequest(None, 0)), "cpu"), TrainSettings(epochs=1), seed=0)
    arch = space.sample(__import__("numpy").random.default_rng(0))
    result = estimator.estimate(Candidate(arch, meta={"skip_dropout": 0.25}))
    assert result.ok and space.inside == [({"skip_dropout": 0.25}, True)]
