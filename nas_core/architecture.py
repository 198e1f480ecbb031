"""What every architecture offers, whatever its search space.

An architecture is an immutable, hashable value. Its ``key`` is canonical: two architectures that
compute the same function the same way (isomorphic cells, for instance) share a key, which is what
de-duplication and "found the optimum" checks compare. ``to_dict`` gives JSON; the search space that
produced it decodes that JSON back (``SearchSpace.decode``), because validity is a property of the
space, not of the value alone.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable


@runtime_checkable
class Architecture(Protocol):
    kind: ClassVar[str]

    @property
    def key(self) -> str:
        """Canonical identity: equal for architectures that are the same network."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """JSON-able description that includes ``"kind"``."""
        ...
