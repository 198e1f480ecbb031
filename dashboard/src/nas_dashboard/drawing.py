"""Architectures as SVG pictures, drawn the way ``nas draw`` draws them: an NB201 cell with its
op-labelled edges, a DARTS normal and reduction cell likewise, a layer chain top to bottom, and
any space's node-op DAG in columns by longest path from the input.

Every label is escaped here, and the page shows the picture as an image, in which a browser runs
no script whatever the SVG holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from nas_core import NB201_EDGES, NB201_NUM_NODES, Architecture, Capability, MLPChain, NB201Cell, SearchSpace

FONT = 12
CHAR = 7.0  # about the width of one character at FONT, in pixels
KNOWN_COLOURS = {"skip_connect": "#7f7f7f", "nor_conv_1x1": "#1f77b4", "nor_conv_3x3": "#d62728", "avg_pool_3x3": "#2ca02c",
                 "max_pool_3x3": "#17becf", "sep_conv_3x3": "#9467bd", "sep_conv_5x5": "#8c564b", "dil_conv_3x3": "#e377c2",
                 "dil_conv_5x5": "#bcbd22"}  # fmt: skip
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def op_colour(op: str) -> str:
    """One colour per operation name, the same in every picture."""
    if op in KNOWN_COLOURS:
        return KNOWN_COLOURS[op]
    return PALETTE[hashlib.blake2b(op.encode(), digest_size=1).digest()[0] % len(PALETTE)]


@dataclass
class Canvas:
    """An SVG picture built from boxes, labelled arrows and text."""

    width: float
    height: float
    parts: list[str] = field(default_factory=list)

    def box(self, x: float, y: float, text: str, round_: bool = False) -> None:
        w, h = box_width(text), 26.0
        radius = h / 2 if round_ else 5
        self.parts.append(f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{radius:.1f}" '
                          'fill="#ffffff" stroke="#333333" stroke-width="1.2"/>')  # fmt: skip
        self.text(x, y, text)

    def text(self, x: float, y: float, text: str, colour: str = "#111111", backed: bool = False) -> None:
        if backed:
            w = len(text) * CHAR + 6
            self.parts.append(f'<rect x="{x - w / 2:.1f}" y="{y - 9:.1f}" width="{w:.1f}" height="16" fill="#ffffff" opacity="0.85"/>')
        self.parts.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="{FONT}" '
                          f'font-family="sans-serif" fill={quoteattr(colour)}>{escape(text)}</text>')  # fmt: skip

    def arrow(self, path: str, colour: str = "#555555", dashed: bool = False) -> None:
        dash = ' stroke-dasharray="5,4"' if dashed else ""
        self.parts.append(f'<path d="{path}" fill="none" stroke={quoteattr(colour)} stroke-width="1.6"{dash} marker-end="url(#head)"/>')

    def svg(self, title: str) -> str:
        head = ('<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
                'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>')  # fmt: skip
        heading = f'<text x="10" y="18" font-size="13" font-family="sans-serif" font-weight="bold">{escape(title)}</text>'
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width:.0f}" height="{self.height:.0f}" '
                f'viewBox="0 0 {self.width:.0f} {self.height:.0f}">{head}'
                f'<rect width="100%" height="100%" fill="#ffffff"/>{heading}{"".join(self.parts)}</svg>')  # fmt: skip


def box_width(text: str) -> float:
    return max(56.0, len(text) * CHAR + 18)


def architecture_svg(arch: Architecture, space: SearchSpace, info: Mapping[str, Any], title: str) -> str | None:
    """The picture of ``arch`` (searched in ``space``; ``info``: its trial's result info, which
    gives an MLP its input shape and classes), or None for a space with no picture."""
    if isinstance(arch, NB201Cell):
        return nb201_cell(arch, title)
    data = arch.to_dict()
    if isinstance(data.get("normal"), list) and isinstance(data.get("reduce"), list):
        return darts_cells(data["normal"], data["reduce"], title)
    if isinstance(arch, MLPChain):
        shape = "x".join(map(str, info.get("input_shape", []))) or "input"
        classes = info.get("num_classes")
        output = "1 sigmoid" if classes == 2 else f"{classes} softmax" if classes else "output"
        return chain([f"input {shape}", *map(str, arch.layers), output], title)
    if Capability.GRAPH in space.capabilities:
        graph = space.to_graph(arch)
        return node_dag(graph.ops, graph.edges(), graph.depths(), title)
    lists = [value for key, value in data.items() if key != "kind" and isinstance(value, list)]
    if len(lists) == 1 and all(isinstance(v, str | int | float) for v in lists[0]):
        return chain(["input", *map(str, lists[0]), "output"], title)  # a macro chain of layers
    return None


def nb201_cell(cell: NB201Cell, title: str) -> str:
    """Nodes left to right; an arc per edge that is not ``none``: neighbours straight, two apart
    above, input to output below (as ``nas draw``)."""
    step = 190.0
    xs = [60 + k * step for k in range(NB201_NUM_NODES)]
    mid = 150.0
    canvas = Canvas(xs[-1] + 60, 290)
    bends = {1: 0.0, 2: -110.0, 3: 130.0}
    for (i, j), op in zip(NB201_EDGES, cell.ops):
        if op != "none":
            _labelled_edge(canvas, (xs[i], mid), (xs[j], mid), bends[j - i], op, shrink=26)
    for x, name in zip(xs, ("input", "node 1", "node 2", "output")):
        canvas.box(x, mid, name, round_=True)
    return canvas.svg(title)


def darts_cells(normal: Sequence[Sequence[Any]], reduce: Sequence[Sequence[Any]], title: str) -> str:
    """The normal cell above the reduction cell: inputs c_{k-2} and c_{k-1} on the left, nodes
    0..3, each summing its two op-labelled edges, and c_{k} concatenating them (dashed)."""
    height = 330.0
    canvas = Canvas(880, 2 * height + 30)
    for row, (name, edges) in enumerate((("normal cell", normal), ("reduction cell", reduce))):
        top = 30 + row * height
        canvas.text(60, top + 12, name, colour="#444444")
        mid = top + height / 2
        positions = [(60.0, mid - 70), (60.0, mid + 70), *((220.0 + 150 * k, mid) for k in range(4)), (820.0, mid)]
        for k, (op, source) in enumerate(edges):
            node = 2 + k // 2
            source = int(source)
            span = node - source
            side = -1 if k % 2 == 0 else 1
            bend = 0.0 if source >= 2 and span == 1 else side * (25 + 22 * span)
            _labelled_edge(canvas, positions[source], positions[node], bend, str(op), shrink=24)
        for node in range(2, 6):
            (x1, y1), (x2, y2) = positions[node], positions[6]
            bend = (node - 5) * 28.0
            canvas.arrow(_curve((x1, y1), (x2, y2), bend, 24)[0], dashed=True)
        for k, label in enumerate(("c_{k-2}", "c_{k-1}", "0", "1", "2", "3", "c_{k}")):
            canvas.box(*positions[k], label, round_=True)
    return canvas.svg(title)


def chain(labels: Sequence[str], title: str) -> str:
    """Layers top to bottom, input first."""
    width = max(260.0, max(map(box_width, labels)) + 80)
    canvas = Canvas(width, 50 + 56 * len(labels))
    x = width / 2
    ys = [50 + 56 * k for k in range(len(labels))]
    for k in range(1, len(labels)):
        canvas.arrow(f"M{x:.1f},{ys[k - 1] + 13:.1f} L{x:.1f},{ys[k] - 14:.1f}")
    for y, label in zip(ys, labels):
        canvas.box(x, y, label)
    return canvas.svg(title)


def node_dag(ops: Sequence[str], edges: Sequence[tuple[int, int]], depths: Sequence[int], title: str) -> str:
    """A node-op DAG, one column per depth (longest path from the input); a chain top to bottom."""
    if all(j == i + 1 for i, j in edges) and len(edges) == len(ops) - 1:
        return chain(list(ops), title)
    columns: dict[int, list[int]] = {}
    for node, depth in enumerate(depths):
        columns.setdefault(depth, []).append(node)
    column_width = max(map(box_width, ops)) + 70
    rows = max(len(nodes) for nodes in columns.values())
    canvas = Canvas(40 + column_width * len(columns), 70 + 64 * rows)
    position = {}
    for depth, nodes in columns.items():
        for k, node in enumerate(nodes):
            position[node] = (20 + column_width * (depth + 0.5), 40 + 64 * (k + 0.5 + (rows - len(nodes)) / 2))
    for i, j in edges:
        (x1, y1), (x2, y2) = position[i], position[j]
        a, b = x1 + box_width(ops[i]) / 2, x2 - box_width(ops[j]) / 2 - 2
        dx = max(20.0, (b - a) / 2)
        canvas.arrow(f"M{a:.1f},{y1:.1f} C{a + dx:.1f},{y1:.1f} {b - dx:.1f},{y2:.1f} {b:.1f},{y2:.1f}")
    for node, (x, y) in position.items():
        canvas.box(x, y, ops[node])
    return canvas.svg(title)


def _labelled_edge(canvas: Canvas, start: tuple[float, float], end: tuple[float, float], bend: float, op: str, shrink: float) -> None:
    path, middle = _curve(start, end, bend, shrink)
    colour = op_colour(op)
    canvas.arrow(path, colour)
    canvas.text(*middle, op, colour=colour, backed=True)


def _curve(start: tuple[float, float], end: tuple[float, float], bend: float, shrink: float) -> tuple[str, tuple[float, float]]:
    """A quadratic curve from ``start`` to ``end`` whose middle is ``bend`` pixels off the straight
    line (sideways), cut ``shrink`` pixels short at both ends; and that middle point."""
    (x1, y1), (x2, y2) = start, end
    length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1e-9)
    nx, ny = -(y2 - y1) / length, (x2 - x1) / length  # unit normal
    cx, cy = (x1 + x2) / 2 + 2 * bend * nx, (y1 + y2) / 2 + 2 * bend * ny  # the control point
    middle = (0.25 * x1 + 0.5 * cx + 0.25 * x2, 0.25 * y1 + 0.5 * cy + 0.25 * y2)

    def towards(px: float, py: float, qx: float, qy: float) -> tuple[float, float]:
        d = max(((qx - px) ** 2 + (qy - py) ** 2) ** 0.5, 1e-9)
        return px + (qx - px) * shrink / d, py + (qy - py) * shrink / d

    ax, ay = towards(x1, y1, cx, cy)
    bx, by = towards(x2, y2, cx, cy)
    return f"M{ax:.1f},{ay:.1f} Q{cx:.1f},{cy:.1f} {bx:.1f},{by:.1f}", middle
