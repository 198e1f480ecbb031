"""``nas retrain``: train the best architecture of a study from scratch and report its accuracy."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.progress import TextColumn

from nas_cli.progress import steps_bar
from nas_cli.render import arch_text, plain
from nas_core.retrain import retrain as retrain_best
from nas_core.training import LR_SCHEDULES


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--epochs", type=click.IntRange(min=1), required=True, help="Training epochs.")
@click.option("--dataset", help="Data to train on (required for studies on a table); for a study on a data file that moved, the file where it is now.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the initialization and shuffles.")
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda or cuda:N.")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Folder with user-provided data (cifar-10-batches-py).")
@click.option("--lr-schedule", type=click.Choice(LR_SCHEDULES),
              help="Learning-rate schedule (default: the study's --train-lr-schedule); cosine anneals it to 0 so the result settles.")
@click.option("--save", type=click.Path(dir_okay=False), help="Also write the retrained model (torch.export program, .pt2).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (no progress bar).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def retrain(path: str, epochs: int, dataset: str | None, seed: int, device: str, data_dir: str | None,
            lr_schedule: str | None, save: str | None, as_json: bool, quiet: bool) -> None:  # fmt: skip
    """Retrain the best architecture of the study in PATH for EPOCHS and report test accuracy."""
    loss, valid = TextColumn("loss {task.fields[loss]}"), TextColumn("valid {task.fields[valid]}")
    with steps_bar("epochs", loss, valid, quiet=as_json or quiet) as bar:
        task = bar.add_task("retrain", total=epochs, loss="-", valid="-")

        def on_epoch(epoch: int, train_loss: float, valid_acc: float) -> None:
            bar.update(task, completed=epoch, loss=f"{train_loss:.4g}", valid=f"{valid_acc:.2f}%")

        result = retrain_best(path, epochs, dataset=dataset, seed=seed, device=device, data_dir=data_dir, save=save,
                              on_epoch=on_epoch, lr_schedule=lr_schedule)  # fmt: skip
        bar.update(task, total=result["epochs"])  # fewer than asked when --train-patience stopped it
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    console = Console()
    console.print(f"retrained trial {result['trial_id']}: {arch_text(result['arch'])}")
    console.print(
        f"{plain(result['dataset'])}, {result['epochs']} epochs, {result['seconds']:.1f}s: "
        f"valid {result['valid_acc']:.2f}%  test {result['test_acc']:.2f}%  "
        f"params {result['params']:.4g}M  flops {result['flops']:.4g}M"
    )
