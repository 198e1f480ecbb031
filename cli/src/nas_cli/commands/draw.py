"""``nas draw``: a picture of the best architecture of a study."""

from __future__ import annotations

from pathlib import Path

import click

from nas_core.export import StudyBest
from nas_core.preparation import study_space
from nas_core.spaces.base import Capability
from nas_core.spaces.mlp import MLPChain
from nas_core.spaces.nb201 import NB201Cell


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="PNG file to write.")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Data folder, in place of the one the study recorded.")
def draw(path: str, output: str, data_dir: str | None) -> None:
    """Draw the answer of the study in PATH (cell DAG with op labels, or layer chain)."""
    from nas_cli.drawing import draw_chain, draw_graph, draw_nb201_cell  # matplotlib is slow to import

    best = StudyBest.read(path, data_dir=data_dir)
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    space = study_space(best.spec)
    arch = best.architecture(space)
    title = picture_title(best)
    if isinstance(arch, NB201Cell):
        draw_nb201_cell(arch, title, target)
    elif isinstance(arch, MLPChain):
        info = {} if best.row is None else best.row.result.get("info", {})
        shape = "x".join(map(str, info.get("input_shape", []))) or "input"
        classes = info.get("num_classes")
        output_layer = "1 sigmoid" if classes == 2 else f"{classes} softmax" if classes else "output"
        draw_chain([f"input {shape}", *arch.layers, output_layer], title, target)
    elif Capability.GRAPH in space.capabilities:
        draw_graph(space.to_graph(arch), title, target)
    else:
        raise click.ClickException(f"search space '{space.name}' has no picture of its architectures")
    click.echo(f"wrote {target}")


def picture_title(best: StudyBest) -> str:
    if best.row is None:
        return "the search's answer (not evaluated as a trial)"
    metrics = best.row.result["metrics"]
    valid, test = metrics.get("valid_acc", float("nan")), metrics.get("test_acc", float("nan"))
    return f"trial {best.row.trial_id}: valid {valid:.2f}%, test {test:.2f}%"
