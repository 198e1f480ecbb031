"""The space of a "bring your own" table: exactly the architectures its rows list.

An architecture is its encoding string, split into tokens (characters of ``"0121"``, the numbers
of ``"(4, 3, 3, 0)"``, the items of a JSON list). Mutation moves to another row whose tokens differ
in one position, so search strategies work on any table without knowing what the tokens mean;
an architecture with no such neighbour mutates to a random row. Tables whose encodings all have
the same number of tokens also offer one categorical decision per position (and so ConfigSpace).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Mapping

import numpy as np

from nas_core.architecture import Architecture
from nas_core.errors import ArchitectureError, DataError
from nas_core.graph import INPUT, OUTPUT, CellGraph
from nas_core.spaces.base import Capability, Decision, SearchSpace

TOKENIZERS = ("auto", "chars", "split", "json")
_SEPARATOR = re.compile(r"[^0-9A-Za-z.]+")


@dataclass(frozen=True)
class TableArch:
    encoding: str
    tokens: tuple[str, ...] = field(compare=False)
    kind: ClassVar[str] = "table"

    @property
    def key(self) -> str:
        return "table:" + self.encoding

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "encoding": self.encoding}

    def __str__(self) -> str:
        return self.encoding


def tokenize_all(encodings: Sequence[str], mode: str = "auto") -> list[tuple[str, ...]]:
    """Split every encoding the same way; ``auto`` picks json, split or chars for the whole table."""
    if mode not in TOKENIZERS:
        raise DataError(f"unknown tokenizer {mode!r} (choose from {', '.join(TOKENIZERS)})")
    if mode == "auto":
        if all(e.lstrip().startswith("[") for e in encodings):
            mode = "json"
        elif any(_SEPARATOR.search(e.strip()) for e in encodings):
            mode = "split"
        else:
            mode = "chars"
    if mode == "json":
        try:
            return [tuple(json.dumps(t) if not isinstance(t, str) else t for t in json.loads(e)) for e in encodings]
        except (json.JSONDecodeError, TypeError) as exc:
            raise DataError(f"an encoding is not a JSON list: {exc}") from None
    if mode == "split":
        return [tuple(t for t in _SEPARATOR.split(e.strip()) if t) for e in encodings]
    return [tuple(e.strip()) for e in encodings]


class TableSpace(SearchSpace):
    def __init__(self, name: str, archs: Sequence[TableArch]) -> None:
        self.name = name
        self._archs = list(dict.fromkeys(archs))
        if not self._archs:
            raise DataError(f"table {name} has no architectures")
        self._by_encoding = {a.encoding: a for a in self._archs}
        self._by_tokens = {a.tokens: a for a in self._archs}
        lengths = {len(a.tokens) for a in self._archs}
        self._fixed_length = len(lengths) == 1 and len(self._by_tokens) == len(self._archs)

    def decode(self, data: Mapping[str, Any]) -> TableArch:
        arch = self._by_encoding.get(str(data.get("encoding"))) if data.get("kind") == TableArch.kind else None
        if arch is None:
            raise ArchitectureError(f"not an architecture of table {self.name}: {dict(data)!r}")
        return arch

    def validate(self, arch: Architecture) -> None:
        if not isinstance(arch, TableArch) or arch.encoding not in self._by_encoding:
            raise ArchitectureError(f"not an architecture of table {self.name}: {arch}")

    @property
    def size(self) -> int:
        return len(self._archs)

    @property
    def capabilities(self) -> frozenset[Capability]:
        caps = super().capabilities
        if not self._fixed_length:
            caps -= {Capability.DECISIONS, Capability.CONFIGSPACE}
        return caps

    def sample(self, rng: np.random.Generator) -> TableArch:
        return self._archs[int(rng.integers(len(self._archs)))]

    def mutate(self, arch: Architecture, rng: np.random.Generator) -> TableArch:
        close = self.neighbours(arch)
        if close:
            return close[int(rng.integers(len(close)))]
        while (other := self.sample(rng)) == arch and len(self._archs) > 1:
            pass
        return other

    def neighbours(self, arch: Architecture) -> list[TableArch]:
        """Rows whose tokens differ from ``arch``'s in exactly one position."""
        assert isinstance(arch, TableArch)
        found: list[TableArch] = []
        for position in range(len(arch.tokens)):
            found.extend(a for a in self._one_away[_masked(arch.tokens, position)] if a != arch)
        return found

    @cached_property
    def _one_away(self) -> dict[tuple[Any, ...], list[TableArch]]:
        index: dict[tuple[Any, ...], list[TableArch]] = defaultdict(list)
        for arch in self._archs:
            for position in range(len(arch.tokens)):
                index[_masked(arch.tokens, position)].append(arch)
        return index

    def enumerate(self) -> Iterator[TableArch]:
        return iter(self._archs)

    def decisions(self) -> tuple[Decision, ...]:
        width = len(self._archs[0].tokens)
        return tuple(
            Decision(f"pos_{p}", tuple(sorted({a.tokens[p] for a in self._archs}))) for p in range(width)
        )

    def to_decisions(self, arch: Architecture) -> tuple[str, ...]:
        assert isinstance(arch, TableArch)
        return arch.tokens

    def from_decisions(self, values: Sequence[str]) -> TableArch:
        arch = self._by_tokens.get(tuple(values))
        if arch is None:
            raise ArchitectureError(f"{list(values)} is not a row of table {self.name}")
        return arch

    def to_graph(self, arch: Architecture) -> CellGraph:
        """A chain: input -> token 1 -> ... -> token n -> output."""
        assert isinstance(arch, TableArch)
        n = len(arch.tokens) + 2
        adjacency = tuple(tuple(1 if j == i + 1 else 0 for j in range(n)) for i in range(n))
        return CellGraph((INPUT, *arch.tokens, OUTPUT), adjacency)


def _masked(tokens: tuple[str, ...], position: int) -> tuple[Any, ...]:
    return (len(tokens), position, tokens[:position], tokens[position + 1 :])
