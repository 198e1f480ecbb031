"""``--fednas-listen``: clients started elsewhere, here by torchrun, join the search at its
address; the run is the one the plugin's own clients give."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from fednas_testing import TINY

import nas_core
from nas_core import ConfigError

TORCHRUN = shutil.which("torchrun") or str(Path(sys.executable).with_name("torchrun"))


def _search(**options):
    return nas_core.search("fednas", space="nb201", dataset="digits", budget=2, storage=":memory:", **{**TINY, **options})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_clients_started_by_torchrun_join_and_search_as_local_ones_do() -> None:
    port = _free_port()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo"}
    torchrun = subprocess.Popen(
        [TORCHRUN, "--standalone", "--nproc-per-node", "2", "-m", "nas_fednas.client", "--server", f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        joined = _search(fednas_listen=f"127.0.0.1:{port}")
        assert torchrun.wait(60) == 0, torchrun.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
    finally:
        if torchrun.poll() is None:
            os.killpg(torchrun.pid, signal.SIGKILL)
            torchrun.wait()
        torchrun.stderr.close()  # type: ignore[union-attr]
    local = _search()
    fingerprint = [(t.candidate.arch.key, t.result.objective, t.result.metrics["test_acc"]) for t in joined.trials]
    assert fingerprint == [(t.candidate.arch.key, t.result.objective, t.result.metrics["test_acc"]) for t in local.trials]


def test_an_address_in_use_is_one_line() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"--fednas-listen 127.0.0.1:{port}: cannot listen there"):
            _search(fednas_listen=f"127.0.0.1:{port}")
