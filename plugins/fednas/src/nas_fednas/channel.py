"""The control plane of a federation: a torch.distributed ``TCPStore`` the server hosts and every
client connects to. Small messages (commands, reports) and bulk ones (a client's data at the
start, states at every round) are values under the keys of :class:`Keys`; the model itself is
aggregated over gloo (:mod:`nas_fednas.weights`), whose rendezvous goes through the same store.

The server never joins a collective, so it can always watch the clients: it polls for their
keys against a deadline and sees a client that died, hung or failed, and which.

The store listens only where it is told (``127.0.0.1`` for clients on this machine): its socket
is bound here and handed over, since TCPStore binds every interface when it binds itself. Port
0 asks the system for a free port while the socket is held, so no other process can take it in
between.
"""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from typing import Any

from torch.distributed import DistStoreError, TCPStore

CHUNK = 4 << 20  # the store refuses values over 8 MiB; larger ones travel in chunks
WAIT_STEP = timedelta(seconds=1)


def host_store(host: str, port: int, timeout: float) -> TCPStore:
    """A store listening on ``host:port`` only (port 0: a free port, read back as ``store.port``)."""
    sock = socket.create_server((host, port), backlog=1024)
    store = TCPStore(
        host, sock.getsockname()[1], is_master=True, wait_for_workers=False,
        timeout=timedelta(seconds=timeout), master_listen_fd=sock.fileno(), use_libuv=True,
    )  # fmt: skip
    sock.detach()  # the store owns (and closes) the socket now
    return store


def join_store(host: str, port: int, timeout: float) -> TCPStore:
    return TCPStore(host, port, is_master=False, timeout=timedelta(seconds=timeout), use_libuv=True)


class Keys:
    """Where each message lives. ``n`` numbers the server's commands, ``k`` is a client's rank."""

    PLAN = "fednas/plan"
    GLOBAL = "fednas/global"  # the global model the clients start from
    GLOO = "fednas/gloo"  # prefix of the process group's rendezvous

    @staticmethod
    def data(k: int) -> str:
        return f"fednas/data/{k}"

    @staticmethod
    def private(k: int) -> str:
        """The optimizer and generator state a client resumes from."""
        return f"fednas/private/{k}"

    @staticmethod
    def joined(k: int) -> str:
        return f"fednas/joined/{k}"

    @staticmethod
    def stopped(k: int) -> str:
        """Set by a client that was told to stop, as it leaves."""
        return f"fednas/stopped/{k}"

    @staticmethod
    def failed(k: int) -> str:
        """A client's own one-line account of why it stopped."""
        return f"fednas/failed/{k}"

    @staticmethod
    def command(n: int) -> str:
        return f"fednas/command/{n}"

    @staticmethod
    def trained(n: int, k: int) -> str:
        """Set when client k has run its local epochs of command n (before aggregating)."""
        return f"fednas/trained/{n}/{k}"

    @staticmethod
    def report(n: int, k: int) -> str:
        return f"fednas/report/{n}/{k}"

    @staticmethod
    def state(n: int, k: int) -> str:
        return f"fednas/state/{n}/{k}"

    @staticmethod
    def model(n: int) -> str:
        """The aggregated model after command n (every client holds it; client 0 sends it)."""
        return f"fednas/model/{n}"


class Channel:
    """Bytes and JSON under keys of a store; values of any size."""

    def __init__(self, store: TCPStore) -> None:
        self.store = store

    def put(self, key: str, data: bytes) -> None:
        """Chunks first, then their count: a reader that sees the count finds every chunk."""
        chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""]
        for i, chunk in enumerate(chunks):
            self.store.set(f"{key}/{i}", chunk)
        self.store.set(key, str(len(chunks)))

    def get(self, key: str) -> bytes:
        count = int(self.store.get(key))
        return b"".join(self.store.get(f"{key}/{i}") for i in range(count))

    def ready(self, key: str) -> bool:
        return self.store.check([key])

    def drop(self, key: str) -> None:
        count = int(self.store.get(key))
        for i in range(count):
            self.store.delete_key(f"{key}/{i}")
        self.store.delete_key(key)

    def put_json(self, key: str, value: Any) -> None:
        self.put(key, json.dumps(value).encode())

    def get_json(self, key: str) -> Any:
        return json.loads(self.get(key))

    def wait(self, key: str) -> None:
        """Until ``key`` is set, however long; raises (DistNetworkError) once the store is gone."""
        while True:
            try:
                self.store.wait([key], WAIT_STEP)
                return
            except DistStoreError:  # a timeout: the server is there, only quiet
                continue
