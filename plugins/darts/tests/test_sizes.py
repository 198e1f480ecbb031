"""MiLeNAS' model-size-based search and early stopping, in real tiny searches on digits."""

from __future__ import annotations

from nas_core import Budget, RunSpec, open_session, summarize

from nas_darts.sizes import best_per_size, size_of

TINY = {"darts_supernet_channels": 2, "darts_supernet_cells": 1, "darts_batch_size": 256, "darts_method": "milenas"}


def _run(tmp_path, name: str, epochs: int, **options):
    spec = RunSpec(
        plugins=("darts",), budget=Budget(trials=epochs), dataset="digits", space="nb201", seed=3,
        options={**TINY, "darts_epochs": epochs, **options}, device="cpu",
    )  # fmt: skip
    storage = tmp_path / f"{name}.db"
    session = open_session(spec, storage)
    try:
        session.run()
        return list(session.study.trials), summarize(storage)
    finally:
        session.close()


def test_the_answer_is_the_best_validated_epoch_of_the_wanted_size(tmp_path) -> None:
    trials, plain = _run(tmp_path, "plain", 4)
    sizes = [size_of(t.result) for t in trials]
    assert all(isinstance(s, int) and 0 <= s <= 6 for s in sizes)
    assert plain["answer"]["arch"] == trials[-1].result.info["derived"]  # DARTS: the last cell
    size = sizes[1]
    of_size = [t for t in trials if size_of(t.result) == size]
    best = best_per_size(trials)[size]
    assert best.result.objective == max(t.result.objective for t in of_size) and best in of_size
    sized, summary = _run(tmp_path, "sized", 4, darts_size_ops=size)
    assert [t.result.metrics for t in sized] == [t.result.metrics for t in trials]  # the search is the same
    assert summary["answer"]["arch"] == best.result.info["derived"]


def test_early_stopping_ends_the_search_when_the_cells_reach_the_size(tmp_path) -> None:
    trials, _ = _run(tmp_path, "plain", 5)
    sizes = [size_of(t.result) for t in trials]
    target = sizes[0]  # reached after the first epoch: the stopped search is one epoch long
    stopped, _ = _run(tmp_path, "stopped", 5, darts_size_ops=target, darts_size_stop=True)
    assert len(stopped) == 1 and stopped[0].result.metrics == trials[0].result.metrics
    later = next((i for i, s in enumerate(sizes) if s > target), None)
    if later is not None:  # a larger size is reached later: the search runs until then
        stopped, _ = _run(tmp_path, "later", 5, darts_size_ops=sizes[later], darts_size_stop=True)
        assert len(stopped) == next(i for i, s in enumerate(sizes) if s >= sizes[later]) + 1
