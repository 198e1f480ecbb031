"""FedNAS on digits and mnist1d: the searched cell against a predefined one and against a cell
searched centrally, as heterogeneity grows; and what client processes buy on this machine.

Accuracy (issue 19, "What it must show"), per dataset, partition and seed, all with the same
clients, rounds and local epochs:

- ``fednas``: the FedNAS search (``--plugin fednas``); its answer is the cell the global alphas
  derive, and the global supernet's test accuracy after the last round is reported too;
- ``fedavg_fednas_cell``: FedAvg on that cell (``--fednas-fixed-arch <its study>``);
- ``fedavg_predefined``: FedAvg on NB201's all-3x3-convolution cell, the predefined architecture;
- ``fedavg_central_cell``: FedAvg on the cell MiLeNAS derives searching all the data in one
  process (``--plugin darts --darts-method milenas``, as many epochs as a client's local epochs
  in all), to show what federating the search costs.

Reported: the last round's test accuracy of the global model (the test split is the server's),
mean, standard deviation and range over seeds. Partitions default to IID, Dirichlet 0.5 (the
slides' non-IID setting) and Dirichlet 0.1: the gap as heterogeneity grows.

Systems: wall clock per round (the clients' start excluded) with 2, 4 and 8 client processes
against one process that runs the same clients in turn and averages them in a loop (same
partition, seeds and code: its accuracies match the processes' up to the order of the sums),
bytes sent per round, and peak memory per client process and of the one process.

    OMP_NUM_THREADS=1 python benchmarks/fednas_compare.py
    OMP_NUM_THREADS=1 python benchmarks/fednas_compare.py --tiny -o /tmp/fednas_tiny.json   # minutes: checks the script

Every search is a study file under ``--runs`` (default ``benchmarks/results/fednas_runs``): run
the same command again and finished studies are read back, an unfinished one is resumed. The
JSON is rewritten after every study (``"complete": false`` until the last), with a plot beside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", category=DeprecationWarning)

import numpy as np
import torch

import nas_core
from nas_core import DatasetRequest, DeviceData, NB201Space, Study, load_study, stable_seed
from nas_core.comparison import environment
from nas_core.testing import digits, mnist1d
from nas_fednas.client import peak_rss_mb
from nas_fednas.local import make_trainer
from nas_fednas.partition import deal
from nas_fednas.plan import ModelPlan, client_seed
from nas_fednas.settings import FedNASSettings, LocalSearchSettings
from nas_fednas.share import pack_share, unpack_share
from nas_fednas.weights import load_state_bytes, state_bytes

RESULTS = Path(__file__).resolve().parent / "results"
PREDEFINED = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
LOADERS = {"digits": digits, "mnist1d": mnist1d}
ARMS = ("fednas", "fedavg_fednas_cell", "fedavg_predefined", "fedavg_central_cell")
# --tiny: a few minutes in all, to check the script end to end
TINY_SIZES = {"darts_supernet_channels": 4, "darts_batch_size": 128, "nb201_channels": 4, "nb201_cells": 1}


@dataclasses.dataclass(frozen=True)
class Plan:
    clients: int
    rounds: int
    local_epochs: int
    sizes: dict[str, Any]  # supernet and network sizes, batch size

    def federated(self, partition: str) -> dict[str, Any]:
        scheme, _, alpha = partition.partition(":")
        options = {"fednas_clients": self.clients, "fednas_rounds": self.rounds, "fednas_local_epochs": self.local_epochs, "fednas_partition": scheme}
        return {**options, **({"fednas_alpha": float(alpha)} if alpha else {}), **self.sizes}


def study(path: Path, plugin: str, **options: Any) -> Study:
    """The study at ``path``: read back when finished, resumed when not, else run."""
    if path.exists():
        found = load_study(path)
        if found.stopped:
            return found
        return nas_core.search(plugin, storage=str(path), resume=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return nas_core.search(plugin, storage=str(path), device="cpu", **options)


def last_round(found: Study) -> dict[str, float]:
    done = [t for t in found.trials if t.result.ok]
    metrics = done[-1].result.metrics
    return {"test_acc": metrics["test_acc"], "valid_acc": metrics["valid_acc"], "seconds": sum(t.result.cost_seconds for t in found.trials)}


def accuracy_runs(dataset: str, partition: str, seed: int, plan: Plan, runs: Path) -> dict[str, Any]:
    """The four arms of one dataset, partition and seed."""
    name = f"{dataset}_{partition.replace(':', '')}_s{seed}"
    common = {"space": "nb201", "dataset": dataset, "seed": seed, "budget": plan.rounds}
    searched = study(runs / f"{name}_fednas.db", "fednas", **common, **plan.federated(partition))
    central = study(
        runs / f"{dataset}_s{seed}_central.db", "darts", space="nb201", dataset=dataset, seed=seed,
        budget=plan.rounds * plan.local_epochs, darts_method="milenas", darts_epochs=plan.rounds * plan.local_epochs,
        **{k: v for k, v in plan.sizes.items() if k.startswith("darts_") or k.startswith("nb201_")},
    )  # fmt: skip
    record: dict[str, Any] = {"fednas": last_round(searched), "cells": {"fednas": str(searched.answer), "central": str(central.answer)}}
    record["fednas"]["alpha_entropy"] = searched.trials[-1].result.metrics.get("alpha_entropy")
    for arm, arch in (("fedavg_fednas_cell", runs / f"{name}_fednas.db"), ("fedavg_predefined", PREDEFINED), ("fedavg_central_cell", runs / f"{dataset}_s{seed}_central.db")):
        trained = study(runs / f"{name}_{arm}.db", "fednas", **common, **plan.federated(partition), fednas_fixed_arch=str(arch))
        record[arm] = last_round(trained)
    return record


def spread(values: list[float]) -> dict[str, float]:
    return {
        "mean": statistics.fmean(values),
        "std": statistics.stdev(values) if len(values) > 1 else 0.0,
        "min": min(values),
        "max": max(values),
    }


def summarize(records: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per arm: the test accuracies over seeds, their spread, and the FedNAS cell's gaps."""
    summary: dict[str, Any] = {arm: {"test_acc": [r[arm]["test_acc"] for r in records.values()]} for arm in ARMS}
    for arm in ARMS:
        summary[arm].update(spread(summary[arm]["test_acc"]))
    own, predefined, central = (summary[a]["test_acc"] for a in ("fedavg_fednas_cell", "fedavg_predefined", "fedavg_central_cell"))
    summary["fednas_cell_minus_predefined"] = spread([a - b for a, b in zip(own, predefined)])
    summary["fednas_cell_minus_central_cell"] = spread([a - b for a, b in zip(own, central)])
    return summary


# -- systems ---------------------------------------------------------------------------------------
def process_rounds(clients: int, plan: Plan, seed: int, runs: Path) -> dict[str, Any]:
    """FedNAS with ``clients`` processes (IID, so every client has the same work): per round."""
    found = study(
        runs / f"systems_k{clients}_s{seed}.db", "fednas", space="nb201", dataset="digits", seed=seed, budget=plan.rounds,
        **{**plan.federated("iid"), "fednas_clients": clients},
    )  # fmt: skip
    trials = [t for t in found.trials if t.result.ok]
    steady = [t.result.cost_seconds for t in trials if t.result.metrics["start_seconds"] == 0]
    last = trials[-1].result.metrics
    return {
        "round_seconds": steady,
        "round_seconds_mean": statistics.fmean(steady),
        "start_seconds": trials[0].result.metrics["start_seconds"],
        "bytes_per_round": last["bytes_per_round"],
        "model_bytes": last["model_bytes"],
        "client_peak_rss_mb": last["client_peak_rss_mb"],
        "valid_acc": [t.result.metrics["valid_acc"] for t in trials],
    }


def simulate(clients: int, plan: Plan, seed: int) -> dict[str, Any]:
    """The same clients in one process, in turn, averaged in a loop: what the processes replace."""
    torch.set_num_threads(1)
    data = digits(DatasetRequest(None, 0))
    settings = FedNASSettings(
        clients=clients, rounds=plan.rounds, local_epochs=plan.local_epochs, partition="iid",
        search=LocalSearchSettings(**{k.removeprefix("darts_"): v for k, v in plan.sizes.items() if k.startswith("darts_")}),
    )  # fmt: skip
    space = NB201Space(**{k.removeprefix("nb201_"): v for k, v in plan.sizes.items() if k.startswith("nb201_")})
    partition = deal("iid", clients, data.y_train, data.y_valid, np.random.default_rng(stable_seed(seed, "fednas-partition")), alpha=settings.alpha, min_samples=settings.min_samples)
    model = ModelPlan.of(space, settings.local_search(), None, data.input_shape, data.num_classes)
    start = state_bytes(make_trainer(model, DeviceData(data, torch.device("cpu")), seed).model)
    shares = [unpack_share(pack_share(data, partition, k), model, k) for k in range(clients)]
    trainers = [make_trainer(model, share, client_seed(seed, k)) for k, share in enumerate(shares)]
    for trainer in trainers:
        load_state_bytes(trainer.model, start)
    weights = np.array(partition.train_sizes()) / sum(partition.train_sizes())
    seconds, valid = [], []
    for _ in range(plan.rounds):
        began = time.perf_counter()
        for trainer in trainers:
            trainer.train(plan.local_epochs)
        states = [t.model.state_dict() for t in trainers]
        with torch.no_grad():
            for name, value in states[0].items():
                merged = sum(w * s[name] for w, s in zip(weights, states)) if value.is_floating_point() else max(s[name] for s in states)
                for state in states:
                    state[name].copy_(merged)
        accuracies = [t.accuracy(s.x_valid, s.y_valid) for t, s in zip(trainers, shares)]
        for trainer in trainers:
            trainer.private_state()  # the checkpoint the processes send every round
        seconds.append(time.perf_counter() - began)
        sizes = [len(s.y_valid) for s in shares]
        valid.append(sum(a * n for a, n in zip(accuracies, sizes)) / sum(sizes))
    peak = peak_rss_mb()
    return {"round_seconds": seconds[1:], "round_seconds_mean": statistics.fmean(seconds[1:]), "peak_rss_mb": peak, "valid_acc": valid}


def simulate_in_a_fresh_process(clients: int, plan: Plan, seed: int) -> dict[str, Any]:
    """:func:`simulate` in a process of its own, so its peak memory is its own."""
    done = subprocess.run(
        [sys.executable, __file__, "--simulate", str(clients), "--seeds", str(seed), "--rounds", str(plan.rounds),
         "--local-epochs", str(plan.local_epochs), "--sizes", json.dumps(plan.sizes)],
        capture_output=True, text=True, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    return json.loads(done.stdout)


def systems(counts: list[int], plan: Plan, seed: int, runs: Path) -> list[dict[str, Any]]:
    rows = []
    for clients in counts:
        processes = process_rounds(clients, plan, seed, runs)
        one = simulate_in_a_fresh_process(clients, plan, seed)
        rows.append({
            "clients": clients, "processes": processes, "one_process": one,
            "speedup": one["round_seconds_mean"] / processes["round_seconds_mean"],
            "valid_acc_max_difference": max(abs(a - b) for a, b in zip(processes["valid_acc"], one["valid_acc"])),
        })  # fmt: skip
    return rows


# -- output ----------------------------------------------------------------------------------------
def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = list(result["accuracy"])
    rows = result["systems"]
    panels = len(datasets) + bool(rows)
    figure, axes = plt.subplots(1, panels, figsize=(5 * panels, 4), squeeze=False)
    for ax, dataset in zip(axes[0], datasets):
        partitions = list(result["accuracy"][dataset])
        for arm in ARMS:
            means = [result["accuracy"][dataset][p]["summary"][arm]["mean"] for p in partitions]
            stds = [result["accuracy"][dataset][p]["summary"][arm]["std"] for p in partitions]
            ax.errorbar(partitions, means, yerr=stds, marker="o", capsize=3, label=arm)
        ax.set_title(f"{dataset}: last round's test accuracy")
        ax.set_xlabel("partition")
        ax.set_ylabel("test accuracy (%)")
        ax.legend(fontsize=7)
    if rows:
        ax = axes[0][-1]
        ks = [r["clients"] for r in rows]
        ax.plot(ks, [r["processes"]["round_seconds_mean"] for r in rows], marker="o", label="one process per client")
        ax.plot(ks, [r["one_process"]["round_seconds_mean"] for r in rows], marker="s", label="clients in turn, one process")
        ax.set_xlabel("clients")
        ax.set_ylabel("seconds per round")
        ax.set_title("digits, IID")
        ax.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist1d"], choices=sorted(LOADERS))
    parser.add_argument("--partitions", nargs="+", default=["iid", "dirichlet:0.5", "dirichlet:0.1"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=50, help="FedNAS: 50")
    parser.add_argument("--local-epochs", type=int, default=5, help="FedNAS: 5")
    parser.add_argument("--system-clients", nargs="+", type=int, default=[2, 4, 8])
    parser.add_argument("--system-rounds", type=int, default=4, help="rounds per systems run (the first, which starts the clients, is left out)")
    parser.add_argument("--parts", nargs="+", default=["accuracy", "systems"], choices=["accuracy", "systems"])
    parser.add_argument("--tiny", action="store_true", help="2 rounds of 1 local epoch, 3 clients, 4-channel networks: checks the script")
    parser.add_argument("--sizes", default=None, help=argparse.SUPPRESS)  # JSON, for --simulate
    parser.add_argument("--simulate", type=int, default=None, help=argparse.SUPPRESS)  # internal: one process, these many clients
    parser.add_argument("--runs", type=Path, default=RESULTS / "fednas_runs")
    parser.add_argument("-o", "--output", type=Path, default=RESULTS / "fednas_compare.json")
    args = parser.parse_args()
    if args.tiny:
        args.rounds, args.local_epochs, args.clients, args.system_rounds = 2, 1, 3, 3
        args.system_clients = [2, 3]
    sizes = json.loads(args.sizes) if args.sizes else (TINY_SIZES if args.tiny else {})
    plan = Plan(args.clients, args.rounds, args.local_epochs, sizes)
    if args.simulate is not None:
        print(json.dumps(simulate(args.simulate, plan, args.seeds[0])))
        return
    system_plan = dataclasses.replace(plan, rounds=args.system_rounds, local_epochs=1 if args.tiny else plan.local_epochs)
    result: dict[str, Any] = {
        "command": " ".join([f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '')}", "python", *sys.argv]),
        "complete": False,
        "environment": environment(),
        "cpus": os.cpu_count(),
        "settings": {**dataclasses.asdict(plan), "datasets": args.datasets, "partitions": args.partitions, "seeds": args.seeds,
                     "predefined": PREDEFINED, "system_clients": args.system_clients, "system_rounds": args.system_rounds},
        "accuracy": {},
        "systems": [],
    }  # fmt: skip
    started = time.time()

    def write(complete: bool) -> None:
        result["complete"], result["wall_seconds"] = complete, time.time() - started
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(result, indent=2))

    if "accuracy" in args.parts:
        for dataset in args.datasets:
            for partition in args.partitions:
                seeds: dict[str, Any] = {}
                for seed in args.seeds:
                    seeds[str(seed)] = accuracy_runs(dataset, partition, seed, plan, args.runs)
                    result["accuracy"].setdefault(dataset, {})[partition] = {"seeds": seeds}
                    write(False)
                result["accuracy"][dataset][partition]["summary"] = summarize(seeds)
    if "systems" in args.parts:
        result["systems"] = systems(args.system_clients, system_plan, args.seeds[0], args.runs)
    write(True)
    if result["accuracy"] or result["systems"]:
        plot(result, args.output.with_suffix(".png"))
    print(json.dumps({"accuracy": {d: {p: v["summary"] for p, v in parts.items()} for d, parts in result["accuracy"].items()},
                      "systems": [{k: r[k] for k in ("clients", "speedup", "valid_acc_max_difference")} for r in result["systems"]]}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
