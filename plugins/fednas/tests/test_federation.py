"""Federated rounds in real client processes: what a round reports, where it runs, and that more
clients than cores take turns."""

from __future__ import annotations

import os

import pytest
from fednas_testing import TINY, client_processes

import nas_core
from nas_core import DatasetRequest, Status, Trial
from nas_core.testing import digits


def _search(budget: int = 2, **options):
    return nas_core.search("fednas", space="nb201", dataset="digits", budget=budget, storage=":memory:", **{**TINY, **options})


def test_each_round_runs_in_one_process_per_client_and_reports_it() -> None:
    seen: list[set[int]] = []

    def watch(trial: Trial) -> None:
        seen.append({p.pid for p in client_processes()})

    study = nas_core.search(
        "fednas", space="nb201", dataset="digits", budget=2, storage=":memory:", on_trial=watch, **{**TINY, "fednas_clients": 3}
    )  # fmt: skip
    assert len(seen[0]) == 3 and os.getpid() not in seen[0]
    assert seen[0] == seen[1], "the clients are started once and kept between rounds"
    first, second = study.trials
    assert [t.result.status for t in study.trials] == [Status.COMPLETE, Status.COMPLETE]
    assert (first.candidate.fidelity, second.candidate.fidelity) == (1, 2)
    metrics, info = second.result.metrics, second.result.info
    clients = info["clients"]
    assert len(clients) == 3 and metrics["round"] == 2.0
    weighted = sum(c["valid_acc"] * c["valid_samples"] for c in clients) / sum(c["valid_samples"] for c in clients)
    assert second.result.objective == pytest.approx(weighted) == pytest.approx(metrics["valid_acc"])
    assert metrics["worst_client_valid_acc"] == min(c["valid_acc"] for c in clients)
    assert metrics["slowest_client_seconds"] == max(c["seconds"] for c in clients)
    assert metrics["bytes_per_round"] == 2 * 3 * metrics["model_bytes"] > 0
    assert 0 <= metrics["test_acc"] <= 100 and metrics["client_peak_rss_mb"] > 0
    assert metrics["start_seconds"] == 0 < first.result.metrics["start_seconds"]
    assert 0 < metrics["alpha_entropy"] <= metrics["alpha_entropy_max"]
    table = info["tables"][0]
    assert sum(row[-2] for row in table["rows"]) == sum(c["train_samples"] for c in clients)
    assert study.answer is not None and study.answer.to_dict() == info["derived"]
    assert not client_processes(), "the clients stop when the search ends"


def test_more_clients_than_cores_take_turns() -> None:
    clients = (os.cpu_count() or 1) + 2
    study = _search(budget=1, fednas_clients=clients, fednas_min_samples=4)
    assert study.trials[0].result.status is Status.COMPLETE
    assert len(study.trials[0].result.info["clients"]) == clients


def test_one_client_is_milenas_on_its_own_data() -> None:
    study = _search(budget=1, fednas_clients=1)
    (client,) = study.trials[0].result.info["clients"]
    assert client["train_samples"] == len(digits(DatasetRequest(None, 0)).y_train)
