"""Pictures of architectures: an NB201 cell with its op-labelled edges, an MLP's layer chain,
or any space's node-op DAG."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from nas_core.graph import CellGraph  # noqa: E402
from nas_core.spaces.nb201 import EDGES, NUM_NODES, NB201Cell  # noqa: E402

COLOURS = {"skip_connect": "tab:gray", "nor_conv_1x1": "tab:blue", "nor_conv_3x3": "tab:red", "avg_pool_3x3": "tab:green"}
BOX = {"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "black"}


def draw_nb201_cell(cell: NB201Cell, title: str, output: Path) -> None:
    """Nodes 0..3 left to right; one arc per edge that is not ``none``, labelled with its op."""
    fig, ax = plt.subplots(figsize=(9, 4))
    xs = [i * 3.0 for i in range(NUM_NODES)]
    for (i, j), op in zip(EDGES, cell.ops):
        if op == "none":
            continue
        rad = {1: 0.0, 2: -0.45, 3: 0.45}[j - i]  # neighbours straight, two apart above, input->output below
        colour = COLOURS.get(op, "black")
        ax.annotate("", xy=(xs[j] - 0.25, 0), xytext=(xs[i] + 0.25, 0),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.8, "connectionstyle": f"arc3,rad={rad}"})  # fmt: skip
        height = -rad * (xs[j] - xs[i]) / 2
        ax.text((xs[i] + xs[j]) / 2, height, op, ha="center", va="center", fontsize=9, color=colour,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})  # fmt: skip
    names = ["input", "node 1", "node 2", "output"]
    for x, name in zip(xs, names):
        ax.text(x, 0, name, ha="center", va="center", fontsize=10, bbox={**BOX, "boxstyle": "circle,pad=0.4"})
    ax.set_xlim(-1.2, xs[-1] + 1.2)
    ax.set_ylim(-3, 3)
    ax.set_title(title)
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)


def draw_chain(labels: Sequence[str], title: str, output: Path) -> None:
    """Layers top to bottom, input first."""
    fig, ax = plt.subplots(figsize=(4, 0.7 * len(labels) + 1))
    for k, label in enumerate(labels):
        y = -k
        ax.text(0, y, label, ha="center", va="center", fontsize=10, bbox=BOX)
        if k:
            ax.annotate("", xy=(0, y + 0.25), xytext=(0, y + 0.75), arrowprops={"arrowstyle": "-|>"})
    ax.set_xlim(-1, 1)
    ax.set_ylim(-len(labels), 1)
    ax.set_title(title)
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)


def draw_graph(graph: CellGraph, title: str, output: Path) -> None:
    """A node-op DAG in layers by longest path from the input."""
    layers: dict[int, list[int]] = {}
    for node, d in enumerate(graph.depths()):
        layers.setdefault(d, []).append(node)
    position = {n: (d * 2.5, k - (len(layers[d]) - 1) / 2) for d, nodes in layers.items() for k, n in enumerate(nodes)}
    fig, ax = plt.subplots(figsize=(2.2 * len(layers) + 1, 1.2 * max(len(v) for v in layers.values()) + 1.5))
    for i, j in graph.edges():
        ax.annotate("", xy=position[j], xytext=position[i],
                    arrowprops={"arrowstyle": "-|>", "shrinkA": 18, "shrinkB": 18, "color": "tab:gray"})  # fmt: skip
    for node, (x, y) in position.items():
        ax.text(x, y, graph.ops[node], ha="center", va="center", fontsize=9, bbox=BOX)
    xs = [x for x, _ in position.values()]
    ys = [y for _, y in position.values()]
    ax.set_xlim(min(xs) - 1.5, max(xs) + 1.5)
    ax.set_ylim(min(ys) - 1, max(ys) + 1)
    ax.set_title(title)
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)
