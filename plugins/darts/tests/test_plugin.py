"""The strategy's own rules in the hook loop: the collapse report and foreign answers."""

from __future__ import annotations

import logging

import pytest

from nas_core import (
    Budget, Candidate, NB201Cell, NB201Space, PluginError, Result, RunSpec, open_session,
)

from nas_darts.plugin import DifferentiableSearch
from nas_darts.search import SupernetSearch
from nas_darts.settings import SearchSettings

ALL_SKIP = NB201Cell(("skip_connect",) * 6)
PREDICTOR = '''
from nas_core import Result, Status, hookimpl

@hookimpl(tryfirst=True)
def nas_estimate(candidate, study):
    return Result(Status.PREDICTED, 50.0)
'''


def test_the_collapse_is_reported_once_with_its_epoch(digits_data, caplog) -> None:
    strategy = DifferentiableSearch(SupernetSearch.create(NB201Space(2, 1), digits_data, SearchSettings(), 0))
    for epoch in (1, 2):
        strategy.search.epoch = epoch  # the estimate ran this epoch
        result = Result.complete(50.0, {"collapsed": 1.0}, info={"derived": ALL_SKIP.to_dict()})
        with caplog.at_level(logging.WARNING, logger="nas_darts"):
            strategy.nas_update(Candidate(ALL_SKIP, fidelity=epoch), result, study=None)
    assert strategy.collapsed_at == 1 and strategy.state_dict()["collapsed_at"] == 1
    assert [r.getMessage() for r in caplog.records] == [
        f"darts (second-order): the derived normal cell collapsed (parameter-free or cut off) at epoch 1: {ALL_SKIP.to_dict()}"
    ]


def test_an_epoch_answered_by_another_plugin_stops_the_run(tmp_path, monkeypatch) -> None:
    package = tmp_path / "darts_stub"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "predictor.py").write_text(PREDICTOR)
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = RunSpec(
        plugins=("darts", "darts_stub.predictor"), budget=Budget(trials=2), dataset="digits", space="nb201",
        options={"darts_supernet_channels": 2, "darts_supernet_cells": 1}, device="cpu",
    )  # fmt: skip
    session = open_session(spec)
    try:
        with pytest.raises(PluginError, match="epoch 1 was answered by another plugin"):
            session.run()
    finally:
        session.close()
