"""Strategies that keep several proposals in flight on Dask workers: every budgeted trial recorded,
results fed back in the order they finish, no exception."""

import pytest

from cli_helpers import nas_json

SMALL_PREDICTOR = ("--gpnas-warmup", "6", "--gpnas-filter-patience", "2", "--gpnas-predictor-epochs", "10",
                   "--gpnas-refine-steps", "2")  # fmt: skip


@pytest.mark.parametrize(
    "plugins",
    [("--plugin", "gpnas"), ("--plugin", "gpnas", "--gpnas-sampler", "smac"), ("--plugin", "evolution"),
     ("--plugin", "evolution", "--plugin", "gpnas-predictor")],
    ids=["gpnas", "gpnas-smac", "evolution", "evolution+gpnas-predictor"],
)  # fmt: skip
def test_a_strategy_on_two_workers_gets_the_trials_its_budget_buys(plugins: tuple[str, ...]) -> None:
    options = SMALL_PREDICTOR if "gpnas" in " ".join(plugins) else ()
    shown = nas_json("search", *plugins, *options, "--benchmark", "nb201", "--dataset", "cifar10", "--budget", "12",
                     "--workers", "2", "--seed", "2", "--json")  # fmt: skip
    assert shown["stopped"] == "budget spent (12/12 trials)"
    assert shown["status_counts"].get("complete") == 12 and "failed" not in shown["status_counts"]


def test_gpnas_trains_its_skip_dropout_children_on_the_workers() -> None:
    """The blocker's rate travels in the candidate; the workers' training applies it (space.building)."""
    shown = nas_json("search", "--plugin", "gpnas", *SMALL_PREDICTOR, "--space", "nb201-gen", "--dataset", "digits",
                     "--nb201-channels", "4", "--nb201-cells", "1", "--train-epochs", "1", "--budget", "3",
                     "--workers", "2", "--json")  # fmt: skip
    assert shown["status_counts"].get("complete", 0) >= 3 and "failed" not in shown["status_counts"]
