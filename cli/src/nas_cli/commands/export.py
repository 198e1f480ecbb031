"""``nas export``: the best architecture as JSON, or the trained model for plain torch / ONNX."""

from __future__ import annotations

import click

from nas_core.export import FORMATS, export as export_study


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="torch", show_default=True,
              help="json: architecture and metrics; torch: a torch.export program (.pt2); onnx: ONNX (needs the onnx package).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="File to write.")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Data folder, in place of the one the study recorded.")
def export(path: str, fmt: str, output: str, data_dir: str | None) -> None:
    """Export the best trial of the study in PATH.

    The torch and onnx models take raw inputs (they standardize them themselves; searched on a
    CSV file, they take one number per column, a category's index for categorical ones) and return
    logits; torch.export.load(FILE).module() loads the torch file without nas installed. Each file
    carries its card (inputs, labels): nas_core.load_exported(FILE).predict(rows) labels raw rows.
    """
    click.echo(f"wrote {export_study(path, fmt, output, data_dir=data_dir)}")
