"""A FedNAS client process: ``python -m nas_fednas.client --server HOST:PORT --rank K --clients N``.

The plugin starts one per client on this machine (``--parent`` makes it exit when the plugin's
process is gone). On other machines, ``torchrun`` (or anything else) starts them; ``--rank`` and
``--clients`` then default to torchrun's ``RANK`` and ``WORLD_SIZE``. A client needs nothing but
the server's address: it receives its plan, its share of the data and the model from the server,
joins the other clients' gloo process group, and then runs one round per command:

1. its local epochs on its own data (:mod:`nas_fednas.local`);
2. the sample-weighted all-reduce of the model with every other client (:mod:`nas_fednas.weights`);
3. the aggregated model measured on its own validation split; a report, its private state and
   (client 0) the aggregated model go back to the server.

A failure is reported under the client's ``failed`` key (one line, and the step it happened in:
an error while aggregating is often the echo of another client's death, so the server names
that one first) before the process exits.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import sys
import threading
import time
from datetime import timedelta

import torch
import torch.distributed as dist

from nas_fednas.channel import Channel, Keys, join_store
from nas_fednas.local import LocalTrainer, make_trainer
from nas_fednas.plan import ClientPlan, client_seed
from nas_fednas.settings import parse_address
from nas_fednas.share import unpack_share
from nas_fednas.weights import load_state_bytes, state_bytes, weighted_all_reduce

JOIN_TIMEOUT = 300.0  # seconds to reach the server's store at all
ORPHANED = 3  # exit status of a client whose parent process is gone


def collective_timeout(round_timeout: float) -> float:
    """How long an all-reduce may wait for the slowest client: longer than the server waits for a
    round, so that the server, which knows which client is late, is the one to give up first."""
    return 2 * round_timeout + 60


class Client:
    def __init__(self, channel: Channel, rank: int, clients: int) -> None:
        self.channel = channel
        self.rank = rank
        self.step = "starting"
        plan = ClientPlan.from_json(self._get(Keys.PLAN))
        if plan.clients != clients:
            raise ValueError(f"the server runs {plan.clients} clients, but this one was started as one of {clients}")
        self.plan = plan
        self.data = unpack_share(self._get(Keys.data(rank)), plan.model, rank)
        self.trainer: LocalTrainer = make_trainer(plan.model, self.data, client_seed(plan.seed, rank))
        load_state_bytes(self.trainer.model, self._get(Keys.GLOBAL))
        if channel.ready(Keys.private(rank)):
            self.trainer.load_private_state(channel.get(Keys.private(rank)))

    def _get(self, key: str) -> bytes:
        self.channel.wait(key)
        return self.channel.get(key)

    def serve(self) -> None:
        """Join the process group, then run commands until told to stop."""
        dist.init_process_group(
            "gloo", store=dist.PrefixStore(Keys.GLOO, self.channel.store), rank=self.rank,
            world_size=self.plan.clients, timeout=timedelta(seconds=collective_timeout(self.plan.timeout)),
        )  # fmt: skip
        self.channel.put_json(Keys.joined(self.rank), {"pid": os.getpid(), "host": socket.gethostname()})
        n = 0
        while True:
            self.step = "waiting"
            if json.loads(self._get(Keys.command(n)))["op"] != "round":
                break
            self.run_round(n)
            n += 1
        dist.destroy_process_group()
        self.channel.put_json(Keys.stopped(self.rank), {})

    def run_round(self, n: int) -> None:
        self.step = "training"
        started = time.perf_counter()
        trained = self.trainer.train(self.plan.local_epochs)
        seconds = time.perf_counter() - started
        self.channel.put_json(Keys.trained(n, self.rank), {"seconds": seconds})
        self.step = "aggregating"
        weighted_all_reduce(self.trainer.model, self.plan.weights[self.rank])
        self.step = "reporting"
        valid = self.data.x_valid, self.data.y_valid
        self.channel.put(Keys.state(n, self.rank), self.trainer.private_state())
        if self.rank == 0:
            self.channel.put(Keys.model(n), state_bytes(self.trainer.model))
        self.channel.put_json(
            Keys.report(n, self.rank),
            {
                "seconds": seconds,
                "lr": trained.lr,
                "train_loss": trained.loss,
                "train_acc": trained.accuracy,
                "valid_acc": self.trainer.accuracy(*valid) if len(valid[0]) else None,
                "valid_samples": len(valid[0]),
                "train_samples": len(self.data.x_train),
                "peak_rss_mb": peak_rss_mb(),
            },
        )


def peak_rss_mb() -> float:
    """This process's peak resident memory, MiB. Linux's ``ru_maxrss`` keeps the parent's peak
    across fork and exec (a client of a large nas process would report the parent's), so the
    high-water mark of the process's own memory (``VmHWM``) is read where there is one."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1024)


def watch_parent(parent: int) -> None:
    """Exit as soon as ``parent`` is no longer this process's parent (it died, even by SIGKILL)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(ORPHANED)

    threading.Thread(target=watch, name="fednas-parent-watch", daemon=True).start()


def address(text: str) -> tuple[str, int]:
    parsed = parse_address(text)
    if parsed is None:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return parsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nas_fednas.client", description=__doc__.splitlines()[0])
    parser.add_argument("--server", type=address, required=True, help="HOST:PORT of the nas search running fednas")
    parser.add_argument("--rank", type=int, default=os.environ.get("RANK"), help="this client's rank, 0..N-1 (torchrun: RANK)")
    parser.add_argument("--clients", type=int, default=os.environ.get("WORLD_SIZE"), help="N, the number of clients (torchrun: WORLD_SIZE)")
    parser.add_argument("--parent", type=int, default=None, help="exit when this process is no longer the parent")
    args = parser.parse_args(argv)
    if args.rank is None or args.clients is None:
        parser.error("give --rank and --clients (or start the client with torchrun, which sets RANK and WORLD_SIZE)")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    torch.set_num_threads(1)
    if args.parent is not None:
        watch_parent(args.parent)
    channel = Channel(join_store(*args.server, timeout=JOIN_TIMEOUT))
    client: Client | None = None
    try:
        client = Client(channel, int(args.rank), int(args.clients))
        client.serve()
    except BaseException as exc:
        step = client.step if client is not None else "starting"
        message = (str(exc).splitlines() or [type(exc).__name__])[0]
        try:
            channel.put_json(Keys.failed(int(args.rank)), {"step": step, "error": f"{type(exc).__name__}: {message}"})
        except Exception:  # noqa: BLE001 - the server is gone: nobody to tell
            pass
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
