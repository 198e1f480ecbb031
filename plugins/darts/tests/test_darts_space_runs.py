"""The DARTS cell space end to end: a search, its study retrained by the core, wrong inputs."""

from __future__ import annotations

import os

import pytest

from nas_core import Budget, ConfigError, RunSpec, open_session, retrain, summarize

# depthwise convolutions are slow on CPUs: a 2-channel network and a tenth of the data for weights
TINY = {
    "darts_channels": 2, "darts_layers": 3, "darts_batch_size": 128, "darts_train_portion": 0.1,
    "darts_method": "first-order", "train_batch_size": 512,
}  # fmt: skip


def _spec(**changes) -> RunSpec:
    fields = dict(plugins=("darts",), budget=Budget(trials=1), dataset="digits", space="darts", options=TINY, device="cpu")
    return RunSpec(**{**fields, **changes})


def test_a_darts_cell_search_is_retrained_by_the_core(tmp_path) -> None:
    storage = tmp_path / "study.db"
    session = open_session(_spec(), storage)
    try:
        session.run()
        (trial,) = session.study.trials
        assert trial.candidate.fidelity == 1 and trial.result.ok
        assert trial.result.info["derived"]["kind"] == "darts"
        assert len(trial.result.info["alphas"]["reduce"]) == 14
    finally:
        session.close()
    final_cell = trial.result.info["derived"]
    assert summarize(storage)["answer"]["arch"] == final_cell  # the answer is the cell after the last epoch
    report = retrain(storage, epochs=1, device="cpu")
    assert report["arch"] == final_cell and report["params"] > 0 and 0 <= report["test_acc"] <= 100


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"options": {**TINY, "darts_layers": 2}}, "--darts-layers"),
        ({"space": "mlp", "options": {}}, "--space nb201 or darts"),
        ({"dataset": "wine", "space": "nb201", "options": {}}, "images or 1-D signals"),
        ({"benchmark": "nb201", "dataset": "cifar10", "space": None, "options": {}}, "not --benchmark"),
    ],
)
def test_impossible_combinations_fail_with_one_line(changes, message) -> None:
    if "benchmark" in changes:
        changes["data_dir"] = os.environ.get("NAS_DATA_DIR")
    with pytest.raises(ConfigError, match=message) as error:
        open_session(_spec(**changes))
    assert "\n" not in str(error.value)


def test_another_strategy_searches_the_darts_space_with_the_core_trainer(tmp_path) -> None:
    """``darts-space`` alone: random search over DARTS genotypes, each trained by the core."""
    options = {"darts_channels": 2, "darts_layers": 3, "train_epochs": 1, "train_batch_size": 512}
    spec = _spec(plugins=("random", "darts-space"), budget=Budget(trials=2), options=options)
    session = open_session(spec, tmp_path / "study.db")
    try:
        session.run()
        trials = session.study.trials
        assert len(trials) == 2 and all(t.result.ok for t in trials)
        assert {t.candidate.arch.to_dict()["kind"] for t in trials} == {"darts"}
    finally:
        session.close()


@pytest.mark.parametrize("plugins", [("darts",), ("darts", "darts-space"), ("darts-space", "darts")])
def test_darts_brings_the_darts_space_named_or_not(plugins: tuple[str, ...]) -> None:
    from nas_core.testing import loaded_plugins

    loaded = loaded_plugins(plugins)
    assert loaded.names == ("darts-space", "darts")
    assert "darts" in loaded.registry.spaces
    assert {"darts_channels", "darts_layers", "darts_w_lr"} <= {o.name for o in loaded.options}
