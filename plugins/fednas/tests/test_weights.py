"""The aggregation in real processes: a sample-weighted all-reduce over gloo gives every rank the
weighted sum of the ranks' states, bit for bit the same everywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import torch
from reduce_worker import ranked_model

from nas_fednas.channel import Channel, host_store
from nas_fednas.weights import load_state_bytes, payload_bytes, state_bytes

WEIGHTS = (0.2, 0.3, 0.5)


def test_every_rank_ends_with_the_weighted_sum_of_all_states() -> None:
    store = host_store("127.0.0.1", 0, timeout=60)
    channel = Channel(store)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo"}
    worker = str(Path(__file__).with_name("reduce_worker.py"))
    ranks = [
        subprocess.Popen([sys.executable, worker, str(store.port), str(rank), ",".join(map(str, WEIGHTS))], env=env)
        for rank in range(len(WEIGHTS))
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(channel.ready(f"result/{rank}") for rank in range(len(WEIGHTS))):
            assert time.monotonic() < deadline, "the ranks did not report"
            assert all(p.poll() in (None, 0) for p in ranks), "a rank failed"
            time.sleep(0.05)
        results = [channel.get(f"result/{rank}") for rank in range(len(WEIGHTS))]
    finally:
        for process in ranks:
            process.kill()
            process.wait()
    assert results[0] == results[1] == results[2]
    states = [ranked_model(rank).state_dict() for rank in range(len(WEIGHTS))]
    aggregated = ranked_model(0)
    load_state_bytes(aggregated, results[0])
    for name, value in aggregated.state_dict().items():
        if value.is_floating_point():
            expected = sum(w * s[name] for w, s in zip(WEIGHTS, states))
            assert torch.allclose(value, expected, atol=1e-6), name
        else:  # BatchNorm's batch counter: the largest
            assert int(value) == 7 * (len(WEIGHTS) - 1)


def test_the_payload_is_the_whole_state() -> None:
    model = ranked_model(0)
    assert payload_bytes(model) == (6 + 2 + 2 + 2 + 2 + 2) * 4 + 8  # linear w, b; BN w, b, mean, var (float32); counter (int64)
    again = ranked_model(1)
    load_state_bytes(again, state_bytes(model))
    assert all(torch.equal(a, b) for a, b in zip(again.state_dict().values(), model.state_dict().values()))
