"""Dealing a dataset's training and validation splits to clients, every sample to exactly one.

- ``iid``: a seeded shuffle cut into near-equal parts.
- ``dirichlet``: label skew by latent Dirichlet allocation, the non-IID partition FedNAS used on
  CIFAR-10: for every class c, shares ``q_c ~ Dir(alpha, ..., alpha)`` over the clients, and
  client k receives the share ``q_c[k]`` of class c's samples. A small ``alpha`` gives each
  client few classes; a large one approaches IID. The validation split is dealt with the same
  shares, so each client validates on data distributed like its own training data.

A Dirichlet draw may leave a client (nearly) empty; the partition is drawn again, up to
:data:`MAX_DRAWS` times, until every client holds ``min_samples`` training samples, and a
one-line ConfigError says what to change when no draw does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nas_core import ConfigError

MAX_DRAWS = 1000
BATCH_NORM_MIN = 2  # a training batch of one sample breaks batch norm: each part of a client's split needs two


@dataclass(frozen=True, eq=False)
class Partition:
    """Row indices of the training and validation splits held by each client (in random order)."""

    scheme: str
    alpha: float | None  # the Dirichlet concentration; None for iid
    train: tuple[np.ndarray, ...]
    valid: tuple[np.ndarray, ...]

    @property
    def clients(self) -> int:
        return len(self.train)

    def train_sizes(self) -> list[int]:
        return [len(rows) for rows in self.train]

    def class_counts(self, y_train: np.ndarray, num_classes: int) -> np.ndarray:
        """Training samples per client (rows) and class (columns)."""
        return np.stack([np.bincount(y_train[rows], minlength=num_classes) for rows in self.train])

    def table(self, y_train: np.ndarray, num_classes: int) -> dict[str, Any]:
        """The client x class table of training samples, as ``nas show`` prints a trial's tables."""
        counts = self.class_counts(y_train, num_classes)
        how = "IID" if self.alpha is None else f"Dirichlet alpha {self.alpha:g}"
        return {
            "title": f"training samples per client and class ({how}); valid: validation samples",
            "columns": ["client", *map(str, range(num_classes)), "train", "valid"],
            "rows": [
                [k, *map(int, counts[k]), int(counts[k].sum()), len(self.valid[k])] for k in range(self.clients)
            ],
        }

    def require_split_room(self, portion: float) -> None:
        """Every client cuts its training samples into weight and alpha data (``--darts-train-portion``):
        both parts need room for a batch-norm batch."""
        for k, size in enumerate(self.train_sizes()):
            cut = int(np.floor(portion * size))
            if cut < BATCH_NORM_MIN or size - cut < BATCH_NORM_MIN:
                raise ConfigError(
                    f"client {k} holds {size} training samples: too few to split into weight and alpha data at "
                    f"--darts-train-portion {portion:g} (raise --fednas-min-samples or use fewer --fednas-clients)"
                )


def deal(
    scheme: str,
    clients: int,
    y_train: np.ndarray,
    y_valid: np.ndarray,
    rng: np.random.Generator,
    *,
    alpha: float,
    min_samples: int,
) -> Partition:
    """The partition of ``scheme`` (``iid`` or ``dirichlet``) over ``clients``, from ``rng``."""
    if scheme == "iid":
        return _iid(clients, y_train, y_valid, rng, min_samples)
    if scheme == "dirichlet":
        return _dirichlet(clients, y_train, y_valid, rng, alpha, min_samples)
    raise ConfigError(f"unknown --fednas-partition {scheme!r} (choose iid or dirichlet)")


def _iid(clients: int, y_train: np.ndarray, y_valid: np.ndarray, rng: np.random.Generator, min_samples: int) -> Partition:
    n = len(y_train)
    if n // clients < min_samples:
        raise ConfigError(
            f"{n} training samples dealt evenly to {clients} clients leave {n // clients} each, fewer than "
            f"--fednas-min-samples {min_samples} (use fewer --fednas-clients or a smaller --fednas-min-samples)"
        )
    train = tuple(np.array_split(rng.permutation(n), clients))
    valid = tuple(np.array_split(rng.permutation(len(y_valid)), clients))
    return Partition("iid", None, train, valid)


def _dirichlet(
    clients: int, y_train: np.ndarray, y_valid: np.ndarray, rng: np.random.Generator, alpha: float, min_samples: int
) -> Partition:
    classes = np.union1d(np.unique(y_train), np.unique(y_valid))
    smallest = 0
    for _ in range(MAX_DRAWS):
        shares = rng.dirichlet(np.full(clients, alpha), size=len(classes))  # one row of client shares per class
        train = _deal_by_class(y_train, classes, shares, rng)
        if min(map(len, train)) >= min_samples:
            valid = _deal_by_class(y_valid, classes, shares, rng)
            return Partition("dirichlet", alpha, train, valid)
        smallest = max(smallest, min(map(len, train)))
    raise ConfigError(
        f"no Dirichlet draw (--fednas-alpha {alpha:g}, {MAX_DRAWS} tries) gives each of {clients} clients "
        f"--fednas-min-samples {min_samples} of the {len(y_train)} training samples (the best gave its smallest client "
        f"{smallest}): use fewer --fednas-clients, a larger --fednas-alpha or a smaller --fednas-min-samples"
    )


def _deal_by_class(y: np.ndarray, classes: np.ndarray, shares: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Every class's samples cut among the clients by that class's shares; each client's rows shuffled."""
    held: list[list[np.ndarray]] = [[] for _ in range(shares.shape[1])]
    for c, class_shares in zip(classes, shares):
        rows = rng.permutation(np.flatnonzero(y == c))
        cuts = np.floor(np.cumsum(class_shares)[:-1] * len(rows)).astype(int)
        for k, part in enumerate(np.split(rows, cuts)):
            held[k].append(part)
    return tuple(rng.permutation(np.concatenate(parts)) for parts in held)
