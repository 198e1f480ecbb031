"""The candidate operations of a NASIB layer, as tokens ``<kind><height>x<width>``.

``conv3x5`` is a 3 x 5 convolution, ``sep7x2`` a depthwise-separable 7 x 2 convolution,
``max3x3`` / ``avg3x3`` pooling (stride 1, the map keeps its size). On 1-D data (inputs of shape
(channels, length)) every kernel is ``1 x j`` and runs along the sequence.

Two candidate sets:

- the **superkernel** of size m (section 3.4 of the NASIB paper): every ``i x j`` with
  ``i, j <= m`` (m^2 kernels, non-square and even ones included; on 1-D data the m kernels
  ``1 x j``); a kernel of more than K weights per channel (``i * j > K``) is depthwise-separable,
  the others are plain convolutions;
- the **narrow** set (NASIB-1, the ENAS macro space's six): 3x3 and 5x5 convolutions, 3x3 and 5x5
  separable convolutions, 3x3 max and average pooling (1x3, 1x5 on 1-D data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nas_core import ArchitectureError

_TOKEN = re.compile(r"^(conv|sep|max|avg)([1-9][0-9]*)x([1-9][0-9]*)$")


@dataclass(frozen=True)
class Kernel:
    """One candidate: its kind and its kernel's height x width."""

    kind: str
    height: int
    width: int

    @classmethod
    def parse(cls, token: str) -> Kernel:
        match = _TOKEN.match(token)
        if match is None:
            raise ArchitectureError(f"malformed NASIB kernel {token!r} (expected e.g. conv3x5, sep7x7, max3x3)")
        return cls(match.group(1), int(match.group(2)), int(match.group(3)))

    @property
    def token(self) -> str:
        return f"{self.kind}{self.height}x{self.width}"

    @property
    def shape(self) -> str:
        """``"3x5"``: what the paper's Fig. 4 counts, whatever the kind."""
        return f"{self.height}x{self.width}"


def superkernel(m: int, k: int, dims: int) -> tuple[str, ...]:
    """The m^2 kernels ``i x j`` (i, j <= m; on 1-D data the m kernels ``1 x j``), in row order;
    those of more than ``k`` weights per channel are separable."""
    heights = range(1, m + 1) if dims == 2 else (1,)
    return tuple(Kernel("sep" if i * j > k else "conv", i, j).token for i in heights for j in range(1, m + 1))


def narrow(dims: int) -> tuple[str, ...]:
    """ENAS' six macro-space operations (NASIB-1)."""
    square = (lambda n: f"{n}x{n}") if dims == 2 else (lambda n: f"1x{n}")
    return (f"conv{square(3)}", f"conv{square(5)}", f"sep{square(3)}", f"sep{square(5)}", f"max{square(3)}", f"avg{square(3)}")
