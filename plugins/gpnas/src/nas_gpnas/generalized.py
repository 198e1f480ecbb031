"""The generalized-operator cell spaces of GPNAS (paper III.A), trainable: ``--space nb201-gen``
and ``--space nb201-gen13``.

An NB201 cell (4 nodes, 6 edges i -> j) whose every present edge carries a *generalized operator*:
an operation x an activation x an initialization, the Cartesian product of the paper's three
domains. The operations (an absent edge is ``none`` in both spaces):

- ``nb201-gen``: NB201's four (skip, 1x1 and 3x3 convolution, 3x3 average pool);
- ``nb201-gen13``: the paper's "traditional 13 candidate operators", NASNet's (Zoph et al. 2018):
  identity, 1x1 and 3x3 convolution, 1x3-then-3x1 and 1x7-then-7x1 factorized convolutions, a 3x3
  convolution dilated by 2, 3x3 / 5x5 / 7x7 depthwise-separable convolutions, a 3x3 average pool
  and 3x3 / 5x5 / 7x7 max pools. The four it shares with NB201 keep NB201's names.

The other two domains, common to both spaces:

- activations: SELU, ReLU, ELU, Tanh (the paper's four);
- initializations: ``uniform``, ``gauss`` and ``gauss2``, the paper's Uniform, Gauss and Gauss^2.
  We read Gauss^2 as the square of the Gauss scheme in the sense of a product of two independent
  Gaussian draws: w = s * z1 * z2. A literal z^2 would be all-positive, which no initialization of
  a convolution is; the product keeps Gauss's zero mean and, scaled, its variance, and differs in
  shape: heavy-tailed (kurtosis 9 against Gauss's 3 and Uniform's 1.8), most weights near zero.
  All three are scaled to the variance gain(activation)^2 / fan_in (He et al.), so the schemes
  differ in the shape of the distribution, not in scale.

How an operator uses its activation and initialization: a convolution is activation -> conv(s) -> BN
(NB201's ReLU-Conv-BN with the activation chosen), every kernel drawn by the scheme; a pool is
activation -> pool (it has no weights, so no initialization); a skip connection is the identity
(it has neither: an activated skip would no longer be a skip connection). Choices that an operation
ignores do not change the architecture's key, so such variants are recognized as duplicates.
The layers of each operation, and what they mean on 1-D signals, are in ``networks.py``.

The networks are NB201's macro skeleton (stem, three stages of cells, residual reductions) from
``nas_core.NB201Network``, with ``--nb201-channels`` and ``--nb201-cells``. During search, GPNAS
trains every child with a dropout on its skip connections (the paper's blocker, after P-DARTS);
the rate is set for the duration of one training through :meth:`GeneralizedSpace.skip_dropout`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

import numpy as np

from nas_core import (
    Architecture, ArchitectureError, CELL_INPUT, CELL_OUTPUT, Candidate, CellGraph, ConfigError, Decision,
    NB201Cell, NB201Space, NB201_EDGES, SearchSpace, nb201_cell_key,
)

if TYPE_CHECKING:
    import torch

NONE, SKIP, POOL = "none", "skip_connect", "avg_pool_3x3"
MAX_POOLS: tuple[str, ...] = ("max_pool_3x3", "max_pool_5x5", "max_pool_7x7")
OPERATIONS: tuple[str, ...] = (NONE, SKIP, "nor_conv_1x1", "nor_conv_3x3", POOL)  # nb201-gen's
NASNET_OPERATIONS: tuple[str, ...] = (
    NONE, SKIP, "nor_conv_1x1", "nor_conv_3x3", "conv_1x3_3x1", "conv_1x7_7x1", "dil_conv_3x3",
    "sep_conv_3x3", "sep_conv_5x5", "sep_conv_7x7", POOL, *MAX_POOLS,
)  # nb201-gen13's: NASNet's 13 and none
WEIGHTLESS: frozenset[str] = frozenset({NONE, SKIP, POOL, *MAX_POOLS})
ACTIVATIONS: tuple[str, ...] = ("selu", "relu", "elu", "tanh")
INITIALIZATIONS: tuple[str, ...] = ("uniform", "gauss", "gauss2")
_SEPARATOR = "/"


@dataclass(frozen=True)
class GeneralizedOp:
    operation: str
    activation: str
    initialization: str

    def __post_init__(self) -> None:
        for value, domain, what in (
            (self.operation, NASNET_OPERATIONS, "operation"),  # both spaces' (a cell checks its own)
            (self.activation, ACTIVATIONS, "activation"),
            (self.initialization, INITIALIZATIONS, "initialization"),
        ):
            if value not in domain:
                raise ArchitectureError(f"unknown {what} '{value}' (expected one of {', '.join(domain)})")

    @property
    def uses_activation(self) -> bool:
        return self.operation not in (NONE, SKIP)

    @property
    def uses_initialization(self) -> bool:
        return self.operation not in WEIGHTLESS

    @property
    def label(self) -> str:
        """What the operator computes: the parts its operation ignores are left out."""
        parts = [self.operation]
        if self.uses_activation:
            parts.append(self.activation)
        if self.uses_initialization:
            parts.append(self.initialization)
        return _SEPARATOR.join(parts)

    @property
    def token(self) -> str:
        """The full encoding, ignored parts included (round-trips through :meth:`parse`)."""
        return _SEPARATOR.join((self.operation, self.activation, self.initialization))

    @classmethod
    def parse(cls, token: str) -> GeneralizedOp:
        parts = token.split(_SEPARATOR)
        if len(parts) != 3:
            raise ArchitectureError(f"a generalized operator is operation/activation/initialization, got {token!r}")
        return cls(*parts)


def operator_labels(operations: Sequence[str] = OPERATIONS) -> tuple[str, ...]:
    """Every distinct operator label of ``operations`` (``none`` excluded)."""
    return tuple(
        dict.fromkeys(
            GeneralizedOp(o, a, i).label for o in operations if o != NONE for a in ACTIVATIONS for i in INITIALIZATIONS
        )
    )


@dataclass(frozen=True)
class GeneralizedCell:
    """One ``nb201-gen`` cell; ``ops[e]`` is the generalized operator on edge ``NB201_EDGES[e]``."""

    ops: tuple[GeneralizedOp, ...]
    kind: ClassVar[str] = "nb201-gen"
    operations: ClassVar[tuple[str, ...]] = OPERATIONS

    def __post_init__(self) -> None:
        if len(self.ops) != len(NB201_EDGES):
            raise ArchitectureError(f"a cell has {len(NB201_EDGES)} edges, got {len(self.ops)} operators")
        for op in self.ops:
            if op.operation not in self.operations:
                raise ArchitectureError(
                    f"unknown operation '{op.operation}' in a {self.kind} cell (expected one of {', '.join(self.operations)})"
                )

    @property
    def key(self) -> str:
        return self.kind + ":" + nb201_cell_key(tuple(op.label for op in self.ops)).split(":", 1)[1]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ops": [op.token for op in self.ops]}

    def __str__(self) -> str:
        groups = []
        for node in range(1, 4):
            tokens = [f"{self.ops[e].label}~{i}" for e, (i, j) in enumerate(NB201_EDGES) if j == node]
            groups.append("|" + "|".join(tokens) + "|")
        return "+".join(groups)


@dataclass(frozen=True)
class NASNetOpsCell(GeneralizedCell):
    """One ``nb201-gen13`` cell: its edges carry NASNet's 13 operations (or ``none``)."""

    kind: ClassVar[str] = "nb201-gen13"
    operations: ClassVar[tuple[str, ...]] = NASNET_OPERATIONS


class GeneralizedSpace(SearchSpace):
    """Every cell of NB201 topology with a generalized operator per present edge (NB201's operations)."""

    name = "nb201-gen"
    cell_type: ClassVar[type[GeneralizedCell]] = GeneralizedCell

    def __init__(self, channels: int = 16, cells: int = 5) -> None:
        if channels < 1 or cells < 1:
            raise ConfigError(f"networks need --nb201-channels >= 1 and --nb201-cells >= 1, got {channels} and {cells}")
        self.channels = channels
        self.cells = cells
        self.op_vocabulary = (CELL_INPUT, CELL_OUTPUT, *operator_labels(self.cell_type.operations))
        self._skip_rate = 0.0
        # NB201's node-op DAG is wired alike for every cell: only its node labels depend on the ops
        self._wiring = NB201Space(channels, cells).to_graph(NB201Cell((NONE,) * len(NB201_EDGES))).adjacency

    # -- members -------------------------------------------------------------------------------------
    def decode(self, data: Mapping[str, Any]) -> GeneralizedCell:
        if data.get("kind") != self.cell_type.kind or not isinstance(data.get("ops"), list):
            raise ArchitectureError(f"not a {self.cell_type.kind} generalized-operator cell: {dict(data)!r}")
        return self.cell_type(tuple(GeneralizedOp.parse(str(t)) for t in data["ops"]))

    def validate(self, arch: Architecture) -> None:
        if type(arch) is not self.cell_type:
            raise ArchitectureError(f"{self.name} expects a {self.cell_type.__name__}, got {type(arch).__name__}")

    @property
    def size(self) -> int:
        return (len(self.cell_type.operations) * len(ACTIVATIONS) * len(INITIALIZATIONS)) ** len(NB201_EDGES)

    def sample(self, rng: np.random.Generator) -> GeneralizedCell:
        return self.from_decisions([d.choices[int(rng.integers(len(d.choices)))] for d in self.decisions()])

    def mutate(self, arch: Architecture, rng: np.random.Generator) -> GeneralizedCell:
        """One decision (an edge's operation, activation or initialization) changed."""
        values = list(self.to_decisions(arch))
        decisions = self.decisions()
        k = int(rng.integers(len(decisions)))
        others = [c for c in decisions[k].choices if c != values[k]]
        values[k] = others[int(rng.integers(len(others)))]
        return self.from_decisions(values)

    def neighbours(self, arch: Architecture) -> list[GeneralizedCell]:
        values = self.to_decisions(arch)
        return [
            self.from_decisions(values[:k] + (choice,) + values[k + 1 :])
            for k, decision in enumerate(self.decisions())
            for choice in decision.choices
            if choice != values[k]
        ]

    # -- decisions (one operation, activation and initialization per edge) -------------------------
    def decisions(self) -> tuple[Decision, ...]:
        out = []
        for i, j in NB201_EDGES:
            out += [
                Decision(f"edge_{i}_{j}", self.cell_type.operations),
                Decision(f"activation_{i}_{j}", ACTIVATIONS),
                Decision(f"init_{i}_{j}", INITIALIZATIONS),
            ]
        return tuple(out)

    def to_decisions(self, arch: Architecture) -> tuple[str, ...]:
        assert isinstance(arch, GeneralizedCell)
        return tuple(v for op in arch.ops for v in (op.operation, op.activation, op.initialization))

    def from_decisions(self, values: Sequence[str]) -> GeneralizedCell:
        if len(values) != 3 * len(NB201_EDGES):
            raise ArchitectureError(f"{self.name} expects {3 * len(NB201_EDGES)} decisions, got {len(values)}")
        return self.cell_type(tuple(GeneralizedOp(*values[k : k + 3]) for k in range(0, len(values), 3)))

    # -- graph and network ---------------------------------------------------------------------------
    def to_graph(self, arch: Architecture) -> CellGraph:
        """NB201's node-op DAG of the cell, each node labelled with its operator."""
        assert isinstance(arch, GeneralizedCell)
        return CellGraph((CELL_INPUT, *(op.label for op in arch.ops), CELL_OUTPUT), self._wiring)

    def build(self, arch: Architecture, input_shape: tuple[int, ...], num_classes: int) -> torch.nn.Module:
        from nas_gpnas.networks import build_generalized_network

        assert isinstance(arch, GeneralizedCell)
        return build_generalized_network(arch.ops, input_shape, num_classes, self.channels, self.cells, self._skip_rate)

    def building(self, candidate: Candidate) -> AbstractContextManager[None]:
        """GPNAS proposes each child with the skip-connection dropout rate of its moment in the
        search (``meta["skip_dropout"]``); the run's training applies it, in process or on a worker."""
        return self.skip_dropout(float(candidate.meta.get("skip_dropout", 0.0)))

    @contextmanager
    def skip_dropout(self, rate: float) -> Iterator[None]:
        """Networks built inside the block drop their skip connections' outputs at ``rate`` in training."""
        if not 0.0 <= rate < 1.0:
            raise ConfigError(f"a skip-connection dropout rate must be in [0, 1), got {rate}")
        previous, self._skip_rate = self._skip_rate, rate
        try:
            yield
        finally:
            self._skip_rate = previous


class NASNetOpsSpace(GeneralizedSpace):
    """Every cell of NB201 topology with a generalized operator of NASNet's 13 operations per present
    edge: 14 operations (with ``none``) x 4 activations x 3 initializations per edge."""

    name = "nb201-gen13"
    cell_type = NASNetOpsCell
