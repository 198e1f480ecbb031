"""Strategies that keep several proposals in flight on Dask workers: every budgeted trial recorded,
results fed back in the order they finish, no exception."""

import pytest

from cli_helpers import nas, nas_json

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


def test_gpnas_refuses_a_skip_connection_blocker_the_workers_would_not_apply() -> None:
    done = nas("search", "--plugin", "gpnas", "--space", "nb201-gen", "--dataset", "digits", "--budget", "2",
               "--workers", "2")  # fmt: skip
    assert done.returncode == 2  # a usage error: the option and the engine do not go together
    assert done.stderr.strip().splitlines()[-1] == (  # after any warning of Dask's (a dashboard port in use)
        "error: the skip-connection blocker cannot reach Dask workers (they train without it): "
        "give --gpnas-skip-dropout 0 with --workers/--scheduler, or train in one process "
        "(try 'nas search -h' for help)"
    )
