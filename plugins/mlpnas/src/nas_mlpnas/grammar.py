"""What the controller may emit next: a token vocabulary and the valid continuations of a prefix.

The controller samples an architecture token by token. A grammar names the tokens, says which of
them may follow a given prefix (invalid ones are masked out, so every finished sequence is a
member of the space) and turns a finished sequence into an architecture.

- :class:`ChainGrammar` is the MLPNAS vocabulary of section 4 of the paper: the MLP space's
  ``(width, activation)`` tokens, its dropout token, and an end token; at most ``max_layers``
  dense layers, dropout only right after a dense layer, the end only after a dense layer.
- :class:`DecisionGrammar` serves a space with a fixed list of categorical decisions of which every
  combination is a member: one token per NB201 edge, for instance.
- :class:`RowGrammar` serves any enumerable space whose members are token sequences (a table of
  your own, whose rows are only some of the combinations, or of different lengths): it masks to
  the continuations of the prefix that some member has, so only members are ever sampled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Protocol, cast

import numpy as np

from nas_core import (
    Architecture, Capability, ConfigError, MLPChain, MLPSpace, MLP_DROPOUT, SearchSpace, TableArch,
    TableSpace,
)

END = "<end>"


class Grammar(Protocol):
    """The action space of the controller."""

    vocabulary: tuple[str, ...]

    def allowed(self, prefix: Sequence[int]) -> np.ndarray:
        """Boolean mask over ``vocabulary`` of the tokens that may follow ``prefix``."""
        ...

    def finished(self, prefix: Sequence[int]) -> bool:
        """True when ``prefix`` is a complete sequence."""
        ...

    def to_arch(self, tokens: Sequence[int]) -> Architecture:
        """The architecture a complete sequence describes."""
        ...


class ChainGrammar:
    """MLP chains of the core's MLP space, ended by an explicit end token."""

    def __init__(self, space: MLPSpace) -> None:
        self.vocabulary: tuple[str, ...] = (*space.vocabulary, END)
        self.max_layers = space.max_layers
        self._end = len(self.vocabulary) - 1
        self._dropout = self.vocabulary.index(MLP_DROPOUT)
        self._dense = np.array([token not in (MLP_DROPOUT, END) for token in self.vocabulary])

    def allowed(self, prefix: Sequence[int]) -> np.ndarray:
        mask = np.zeros(len(self.vocabulary), dtype=bool)
        if self.finished(prefix):
            return mask
        dense = int(self._dense[list(prefix)].sum()) if prefix else 0
        if dense < self.max_layers:
            mask |= self._dense
        if prefix and self._dense[prefix[-1]]:
            mask[self._dropout] = True
        if dense >= 1:
            mask[self._end] = True
        return mask

    def finished(self, prefix: Sequence[int]) -> bool:
        return bool(prefix) and prefix[-1] == self._end

    def to_arch(self, tokens: Sequence[int]) -> MLPChain:
        return MLPChain(tuple(self.vocabulary[t] for t in tokens if t != self._end))


class DecisionGrammar:
    """One token per decision of the space, in the order of ``space.decisions()``.

    For spaces in which every combination of the decisions is a member (NB201 cells).
    """

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        decisions = space.decisions()
        self.vocabulary = tuple(dict.fromkeys(choice for d in decisions for choice in d.choices))
        index = {token: i for i, token in enumerate(self.vocabulary)}
        self._positions: list[np.ndarray] = []
        for decision in decisions:
            mask = np.zeros(len(self.vocabulary), dtype=bool)
            mask[[index[c] for c in decision.choices]] = True
            self._positions.append(mask)

    def allowed(self, prefix: Sequence[int]) -> np.ndarray:
        if self.finished(prefix):
            return np.zeros(len(self.vocabulary), dtype=bool)
        return self._positions[len(prefix)]

    def finished(self, prefix: Sequence[int]) -> bool:
        return len(prefix) == len(self._positions)

    def to_arch(self, tokens: Sequence[int]) -> Architecture:
        return self.space.from_decisions([self.vocabulary[t] for t in tokens])


class RowGrammar:
    """Exactly the members of an enumerable space, as token sequences (a table's rows, say).

    The members' token sequences are kept as one lexicographically sorted integer matrix; the valid
    continuations of a prefix are the distinct tokens in the next column of the rows that start
    with it, found by binary search. Sequences of different lengths end with an end token (padding
    the matrix), so a member that is a prefix of another can still be chosen. This keeps a table of
    hundreds of thousands of rows in a few megabytes.
    """

    def __init__(self, space: SearchSpace, tokens_of: Callable[[Architecture], Sequence[str]]) -> None:
        members = {tuple(tokens_of(arch)): arch for arch in space.enumerate()}
        if not members:
            raise ConfigError(f"plugin 'mlpnas': search space '{space.name}' has no members")
        ragged = len({len(tokens) for tokens in members}) > 1
        self.vocabulary = tuple(sorted({t for tokens in members for t in tokens})) + ((END,) if ragged else ())
        index = {token: i for i, token in enumerate(self.vocabulary)}
        self._end = index.get(END, -1)
        self.length = max(len(tokens) for tokens in members) + int(ragged)
        rows = np.full((len(members), self.length), self._end, dtype=np.int32)
        for row, tokens in enumerate(members):
            rows[row, : len(tokens)] = [index[t] for t in tokens]
        order = np.lexsort(rows.T[::-1])
        self._rows = rows[order]
        self._members = {tuple(int(t) for t in rows[i] if t != self._end): arch for i, arch in enumerate(members.values())}

    def _range(self, prefix: Sequence[int]) -> tuple[int, int]:
        """The rows ``lo:hi`` of the sorted matrix that start with ``prefix``."""
        lo, hi = 0, len(self._rows)
        for column, token in enumerate(prefix):
            values = self._rows[lo:hi, column]
            lo, hi = lo + int(np.searchsorted(values, token, "left")), lo + int(np.searchsorted(values, token, "right"))
        return lo, hi

    def allowed(self, prefix: Sequence[int]) -> np.ndarray:
        mask = np.zeros(len(self.vocabulary), dtype=bool)
        if not self.finished(prefix):
            lo, hi = self._range(prefix)
            mask[np.unique(self._rows[lo:hi, len(prefix)])] = True
        return mask

    def finished(self, prefix: Sequence[int]) -> bool:
        return len(prefix) == self.length or (bool(prefix) and prefix[-1] == self._end)

    def to_arch(self, tokens: Sequence[int]) -> Architecture:
        return self._members[tuple(t for t in tokens if t != self._end)]


def _every_combination_is_a_member(space: SearchSpace) -> bool:
    """A space of unknown size is taken to accept every combination, as its decisions promise."""
    combinations = math.prod(len(d.choices) for d in space.decisions())
    return space.size is None or space.size >= combinations


def grammar_for(space: SearchSpace) -> Grammar:
    """The controller's grammar for ``space``; ConfigError if the space offers no token view."""
    capabilities = space.capabilities
    if isinstance(space, MLPSpace):
        return ChainGrammar(space)
    if Capability.DECISIONS in capabilities and _every_combination_is_a_member(space):
        return DecisionGrammar(space)
    if Capability.ENUMERATE in capabilities and Capability.DECISIONS in capabilities:
        return RowGrammar(space, space.to_decisions)
    if Capability.ENUMERATE in capabilities and isinstance(space, TableSpace):
        return RowGrammar(space, lambda arch: cast(TableArch, arch).tokens)
    raise ConfigError(
        f"plugin 'mlpnas' needs the MLP space, a space with decisions, or a table; "
        f"search space '{space.name}' offers: {', '.join(sorted(capabilities)) or 'nothing'}"
    )
