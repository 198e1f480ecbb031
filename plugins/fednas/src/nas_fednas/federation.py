"""The server's side of a federation: it starts the client processes, commands rounds, and
watches for clients that die, hang or fail.

The server is the nas process itself. It hosts the store the clients talk through
(:mod:`nas_fednas.channel`) and never joins their collectives, so a stuck all-reduce can never
stop it: it polls for the clients' keys against a deadline (``--fednas-timeout``) and checks
its client processes between polls. On any fault it kills every client it started (by pid), and
the round fails with one line naming the client and why; the next round starts new clients from
the last completed round's state, so nothing recorded is lost and a retry is exact.

Clients started here listen on the loopback interface only, and exit on their own when the nas
process is gone (see :func:`nas_fednas.client.watch_parent`); a federation that is dropped or
left open at exit kills its clients (``weakref.finalize``). With ``--fednas-listen HOST:PORT``
the clients are started elsewhere (torchrun, on other machines) and join there; the server
cannot kill those, so on a fault it closes the store, which ends them, and awaits new ones at
the next round.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nas_core import ConfigError, TrialError

from nas_fednas.channel import Channel, Keys, host_store
from nas_fednas.plan import ClientPlan

LOOPBACK = "127.0.0.1"
LOOPBACK_INTERFACE = "lo0" if sys.platform == "darwin" else "lo"  # where gloo binds its sockets
POLL_SECONDS = 0.05
ECHO_SECONDS = 0.5  # after a first failure, how long to let the others' echoes of it arrive
STOP_SECONDS = 10.0  # how long stopped clients may take to exit before they are killed
STDERR_LINES = 20  # of each client's stderr, kept for the reason of a crash


@dataclass(frozen=True)
class ClientReport:
    """What one client reports after a round."""

    seconds: float  # its local epochs, wall clock
    lr: float
    train_loss: float  # its last local epoch, on its training data, before aggregating
    train_acc: float
    valid_acc: float | None  # the aggregated model on its validation split (None: it holds none)
    valid_samples: int
    train_samples: int
    peak_rss_mb: float


@dataclass(frozen=True)
class RoundOutcome:
    clients: tuple[ClientReport, ...]
    model: bytes  # the aggregated model's state
    private_states: tuple[bytes, ...]  # every client's optimizers and generator
    seconds: float  # wall clock from the command to the last report, with the clients' start if it started them
    start_seconds: float  # of which starting the clients (0 when they were running)


class Fault(Exception):
    """A client died, hung or failed: the message names it."""


@dataclass
class _Started:
    """One start of the clients, and the store they talk through. ``processes`` are the clients
    this process started (none when they were started elsewhere and joined at ``--fednas-listen``)."""

    channel: Channel
    clients: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    stderr: list[deque[str]] = field(default_factory=list)  # the last lines each process wrote there
    commands: int = 0

    def kill(self) -> None:
        """Kill the clients started here; closing the store makes the others' next call fail, and
        they exit."""
        for process in self.processes:
            if process.poll() is None:
                process.kill()
        for process in self.processes:
            process.wait()

    def stop(self) -> None:
        """Tell every client to stop and wait (a while) until each has left."""
        try:
            self.channel.put_json(Keys.command(self.commands), {"op": "stop"})
            deadline = time.monotonic() + STOP_SECONDS
            while not all(self.left(k) for k in range(self.clients)) and time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
        except Exception:  # noqa: BLE001 - the store is gone: nobody to wait for
            pass
        self.kill()

    def left(self, k: int) -> bool:
        return (k < len(self.processes) and self.processes[k].poll() is not None) or self.channel.ready(Keys.stopped(k))

    def name(self, k: int) -> str:
        """``client k (pid N)``, and the host of a client started elsewhere, once it joined."""
        if k < len(self.processes):
            return f"client {k} (pid {self.processes[k].pid})"
        if self.channel.ready(Keys.joined(k)):
            joined = self.channel.get_json(Keys.joined(k))
            return f"client {k} (pid {joined['pid']} on {joined['host']})"
        return f"client {k}"

    def last_error_line(self, k: int) -> str:
        lines = [line for line in self.stderr[k] if line.strip()]
        return lines[-1].strip() if lines else "no output"


def _drain(process: subprocess.Popen[bytes], tail: deque[str]) -> None:
    """Read a client's stderr until it exits, keeping the last lines."""
    assert process.stderr is not None
    with process.stderr:
        for line in process.stderr:
            tail.append(line.decode(errors="replace"))


class Federation:
    """The clients of a run, started (or, with ``listen``, awaited) at the first round and kept
    between rounds."""

    def __init__(self, plan: ClientPlan, share: Callable[[int], bytes], listen: tuple[str, int] | None = None) -> None:
        self.plan = plan
        self.share = share
        self.listen = listen  # where clients started elsewhere join; None: start them here
        self._started: _Started | None = None
        self._finalizer: weakref.finalize | None = None

    def run_round(self, number: int, model: bytes, private_states: Sequence[bytes] | None) -> RoundOutcome:
        """Round ``number``: clients started from ``model`` and ``private_states`` if they are not
        running. A fault stops every client and raises TrialError naming the client."""
        began = time.monotonic()
        try:
            start_seconds = 0.0
            if self._started is None:
                self._started = self._start(model, private_states)
                self._finalizer = weakref.finalize(self, self._started.kill)
                start_seconds = time.monotonic() - began
            return self._round(self._started, began, start_seconds)
        except Fault as fault:
            failure = f"round {number}: {fault}"
        except BaseException:
            self._discard(kill=True)
            raise
        # out of the handler, so no traceback keeps the old store (and its port) alive
        self._discard(kill=True)
        raise TrialError(failure)

    def close(self) -> None:
        """Stop the clients (they exit), if they are running."""
        self._discard(kill=False)

    def _discard(self, *, kill: bool) -> None:
        started, self._started = self._started, None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if started is not None:
            started.kill() if kill else started.stop()

    # -- starting ------------------------------------------------------------------------------
    def _start(self, model: bytes, private_states: Sequence[bytes] | None) -> _Started:
        host, port = self.listen or (LOOPBACK, 0)
        try:
            store = host_store(host, port, self.plan.timeout)
        except OSError as exc:
            raise ConfigError(f"--fednas-listen {host}:{port}: cannot listen there ({exc.strerror or exc})") from None
        channel = Channel(store)
        channel.put(Keys.PLAN, self.plan.to_json())
        channel.put(Keys.GLOBAL, model)
        for k in range(self.plan.clients):
            channel.put(Keys.data(k), self.share(k))
            if private_states is not None:
                channel.put(Keys.private(k), private_states[k])
        started = _Started(channel, self.plan.clients)
        try:
            if self.listen is None:
                self._spawn(started, store.port)
            self._await(started, Keys.joined, "start", None)
        except BaseException:
            started.kill()
            raise
        for key in (Keys.PLAN, Keys.GLOBAL, *map(Keys.data, range(self.plan.clients))):
            channel.drop(key)  # every client has read them: free the server's memory
        if private_states is not None:
            for k in range(self.plan.clients):
                channel.drop(Keys.private(k))
        return started

    def _spawn(self, started: _Started, port: int) -> None:
        """One client process per rank on this machine, on the loopback interface only. Their
        stderr is drained into memory (the last lines, for a crash's reason): nothing is left on
        disk, whatever happens to this process."""
        env = {**os.environ, "OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": LOOPBACK_INTERFACE}
        for k in range(self.plan.clients):
            process = subprocess.Popen(
                [sys.executable, "-m", "nas_fednas.client", "--server", f"{LOOPBACK}:{port}",
                 "--rank", str(k), "--clients", str(self.plan.clients), "--parent", str(os.getpid())],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
            )  # fmt: skip
            tail: deque[str] = deque(maxlen=STDERR_LINES)
            threading.Thread(target=_drain, args=(process, tail), name=f"fednas-client-{k}-stderr", daemon=True).start()
            started.processes.append(process)
            started.stderr.append(tail)

    # -- a round -------------------------------------------------------------------------------
    def _round(self, started: _Started, began: float, start_seconds: float) -> RoundOutcome:
        n = started.commands
        started.commands += 1
        channel = started.channel
        command_sent = time.monotonic()
        channel.put_json(Keys.command(n), {"op": "round"})
        self._await(started, lambda k: Keys.report(n, k), "round", n, since=command_sent)
        reports = tuple(ClientReport(**channel.get_json(Keys.report(n, k))) for k in range(self.plan.clients))
        states = tuple(channel.get(Keys.state(n, k)) for k in range(self.plan.clients))
        model = channel.get(Keys.model(n))
        for k in range(self.plan.clients):
            for key in (Keys.report(n, k), Keys.state(n, k), Keys.trained(n, k)):
                channel.drop(key)
        channel.drop(Keys.model(n))
        return RoundOutcome(reports, model, states, time.monotonic() - began, start_seconds)

    # -- watching ------------------------------------------------------------------------------
    def _await(
        self, started: _Started, key: Callable[[int], str], phase: str, n: int | None, since: float | None = None
    ) -> None:
        """Until every client has set ``key(k)``; raises Fault on a death, failure or the deadline."""
        deadline = (since or time.monotonic()) + self.plan.timeout
        pending = set(range(self.plan.clients))
        while True:
            pending = {k for k in pending if not started.channel.ready(key(k))}
            if not pending:
                return
            fault = self._fault(started)
            if fault is not None:
                raise Fault(fault)
            if time.monotonic() > deadline:
                raise Fault(self._late(started, pending, phase, n))
            time.sleep(POLL_SECONDS)

    def _fault(self, started: _Started) -> str | None:
        """Why the clients cannot go on, naming the client that caused it; None while all is well."""
        if not self._troubled(started):
            return None
        time.sleep(ECHO_SECONDS)  # one client's death makes the others fail too: let them, then tell cause from echo
        failed = {k: json.loads(started.channel.get(Keys.failed(k))) for k in range(self.plan.clients) if started.channel.ready(Keys.failed(k))}
        codes = {k: p.poll() for k, p in enumerate(started.processes)}
        killed = [k for k, code in codes.items() if code is not None and code < 0 and k not in failed]
        if killed:
            k = killed[0]
            return f"{started.name(k)} was killed by {signal.Signals(-codes[k]).name}"  # type: ignore[operator]
        own = [k for k, record in failed.items() if record["step"] != "aggregating"]
        if own:
            return f"{started.name(own[0])} failed while {failed[own[0]]['step']}: {failed[own[0]]['error']}"
        crashed = [k for k, code in codes.items() if code is not None and k not in failed]
        if crashed:
            k = crashed[0]
            return f"{started.name(k)} exited with status {codes[k]}: {started.last_error_line(k)}"
        k = min(failed)
        return f"{started.name(k)} failed while aggregating: {failed[k]['error']}"

    def _troubled(self, started: _Started) -> bool:
        return any(p.poll() is not None for p in started.processes) or any(
            started.channel.ready(Keys.failed(k)) for k in range(self.plan.clients)
        )

    def _late(self, started: _Started, pending: set[int], phase: str, n: int | None) -> str:
        timeout = f"within --fednas-timeout {self.plan.timeout:g}s"
        if phase == "start":
            return f"{started.name(min(pending))} did not start {timeout}"
        assert n is not None
        untrained = sorted(k for k in pending if not started.channel.ready(Keys.trained(n, k)))
        if untrained:
            names = ", ".join(started.name(k) for k in untrained)
            return f"{names} did not finish {self.plan.local_epochs} local epochs {timeout}"
        return f"{started.name(min(pending))} did not report after aggregating {timeout}"
