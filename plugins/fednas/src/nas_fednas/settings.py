"""``--fednas-*`` and the ``--darts-*`` options a client's local search reads (torch-free, so
options are declared without torch)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from nas_core import ConfigError, Settings, setting
from nas_darts import SearchSettings

PARTITIONS = ("dirichlet", "iid")
LOCAL_METHODS = ("milenas", "first-order", "second-order")  # darts' architecture gradients, FedNAS' first


def parse_address(text: str) -> tuple[str, int] | None:
    """``HOST:PORT`` as a pair; None if it is not one."""
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host.strip("[]"), int(port)


@dataclass(frozen=True)
class LocalSearchSettings(SearchSettings):
    """darts' search options as every client's local search reads them: MiLeNAS by default (the
    method FedNAS runs on each client), and a cosine schedule as long as the whole federated run."""

    method: str = setting("milenas", "local architecture gradient of every client (FedNAS: MiLeNAS)", choices=LOCAL_METHODS)
    epochs: int = setting(0, "length of the clients' cosine schedule in local epochs (0: --fednas-rounds x --fednas-local-epochs)", at_least=0)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.size_ops or self.size_stop:
            raise ConfigError(
                "--darts-size-ops and --darts-size-stop choose the darts strategy's answer; fednas answers the "
                "cell derived from the global alphas after the last round"
            )
        if self.select != "alphas":
            raise ConfigError("--darts-select perturbation needs data at the server, which FedNAS' server never holds: its answer is the global alphas' cell")


@dataclass(frozen=True)
class FedNASSettings(Settings, prefix="fednas"):
    """FedNAS (He, Annavaram & Avestimehr): defaults from the slides' CIFAR-10 setting, 16 non-IID clients."""

    clients: int = setting(16, "client processes, each holding its own partition of the training data (FedNAS: 16)", at_least=1)
    rounds: int = setting(50, "communication rounds: the search's end and the schedule's length (FedNAS: 50)", at_least=1)
    local_epochs: int = setting(5, "local epochs every client runs on its own data per round (FedNAS: 5)", at_least=1)
    partition: str = setting("dirichlet", "how the training and validation splits are dealt to clients: label skew (LDA) or uniform", choices=PARTITIONS)
    alpha: float = setting(0.5, "Dirichlet concentration of every class over the clients: smaller is more skewed (FedNAS: 0.5)", above=0)
    min_samples: int = setting(10, "training samples every client must hold (a Dirichlet partition is redrawn until it does)", at_least=4)
    timeout: float = setting(900.0, "seconds a round (or the clients' start) may take before the clients it waits for are named and stopped", above=0)
    listen: str = setting("", "HOST:PORT where the search waits for --fednas-clients clients started elsewhere (python -m nas_fednas.client, torchrun); empty: it starts them on this machine, on 127.0.0.1", check=lambda text: text == "" or parse_address(text) is not None, expect="HOST:PORT (a port in 1..65535) or empty")
    fixed_arch: str = setting("", "FedAvg baseline: train this architecture (an NB201 cell string, or a study file whose answer to take) with alphas fixed, instead of searching")
    search: LocalSearchSettings = LocalSearchSettings()

    def local_search(self) -> SearchSettings:
        """The settings every client's local search runs with: the schedule spans the whole run."""
        return replace(self.search, epochs=self.search.epochs or self.rounds * self.local_epochs)
