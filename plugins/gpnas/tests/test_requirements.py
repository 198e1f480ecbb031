"""gpnas requires gpnas-space and gpnas-predictor: named or not, the same run; old studies resume."""

import sqlite3
from pathlib import Path

from nas_core import Budget, RunSpec, open_session
from nas_core.testing import PluginConformance, loaded_plugins, require_data_dir

SMALL = {"gpnas_warmup": 6, "gpnas_filter_patience": 2, "gpnas_predictor_epochs": 10, "gpnas_refine_steps": 2}


def spec(*plugins: str, trials: int = 12, **options: object) -> RunSpec:
    return RunSpec(plugins, Budget(trials=trials), seed=1, benchmark="nb201", dataset="cifar10",
                   options={**SMALL, **options}, data_dir=require_data_dir())  # fmt: skip


def run(spec: RunSpec, storage: str | Path = ":memory:", resume: bool = False) -> list:
    session = open_session(spec, storage, resume=resume)
    try:
        session.run()
        return PluginConformance.fingerprint(list(session.study.trials))
    finally:
        session.close()


def test_gpnas_declares_the_filters_options_once_through_gpnas_predictor() -> None:
    loaded = loaded_plugins(["gpnas"])
    assert loaded.names == ("gpnas-space", "gpnas-predictor", "gpnas")
    flags = [o.flag for o in loaded.options]
    assert "--gpnas-filter" in flags and "--gpnas-filter-quantile" in flags and len(flags) == len(set(flags))


def test_naming_gpnas_predictor_too_in_either_order_is_the_same_run() -> None:
    alone = run(spec("gpnas"))
    assert any(status == "predicted" for _, status, _ in alone)
    assert run(spec("gpnas", "gpnas-predictor")) == alone
    assert run(spec("gpnas-predictor", "gpnas")) == alone


def test_gpnas_filter_false_leaves_the_filter_out() -> None:
    session = open_session(spec("gpnas", gpnas_filter=False))
    try:
        assert session.plugins.get("gpnas-predictor.PredictorFilter") is None
        session.run()
        assert all(t.result.status.value != "predicted" for t in session.study.trials)
    finally:
        session.close()


def test_a_study_recorded_when_gpnas_owned_the_filter_resumes_exactly(tmp_path: Path) -> None:
    storage = tmp_path / "study.db"
    run(spec("gpnas", trials=8), storage)
    with sqlite3.connect(storage) as db:  # the filter's state as gpnas registered it before
        for table in ("plugin_state", "plugin_log"):
            db.execute(f"UPDATE {table} SET name = 'gpnas.PredictorFilter' WHERE name = 'gpnas-predictor.PredictorFilter'")
        assert db.execute("SELECT count(*) FROM plugin_state WHERE name = 'gpnas.PredictorFilter'").fetchone() == (1,)
    assert run(spec("gpnas", trials=12), storage, resume=True) == run(spec("gpnas", trials=12))
    assert run(spec("gpnas", trials=16), storage, resume=True) == run(spec("gpnas", trials=16))  # old and new names
