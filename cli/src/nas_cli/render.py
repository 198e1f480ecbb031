"""Human-readable views of study summaries (the JSON of ``nas show --json``).

Everything a user or a plugin wrote (paths, plugin names, architecture strings, error messages)
goes through :func:`plain` before rich sees it: a ``[bold]`` in a file name is text, not markup.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from nas_core.constraints import Constraints
from nas_core.pareto import ParetoFront
from nas_core.trial_table import architecture_text

KEY_METRICS = ("valid_acc", "test_acc", "params", "flops", "latency_ms")


def plain(text: object) -> str:
    """``text`` as rich shows it literally."""
    return escape(str(text))


def arch_text(arch: dict[str, Any]) -> str:
    """An architecture in one line, escaped for rich."""
    return plain(architecture_text(arch))


def numbers_table(title: str, columns: tuple[str, ...]) -> Table:
    """A table whose columns are right-aligned, so that numbers line up."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right")
    return table


def data_line(data: dict[str, Any]) -> str:
    """The data file a study searched, what was read from it and its hash."""
    labels = ", ".join(map(str, data["labels"]))
    read = f"{len(data['labels'])} classes ({plain(labels)})"
    if data.get("columns") is not None:
        categorical = [c["name"] for c in data["columns"] if c["categories"] is not None]
        read = f"target {plain(data['target'])}: {read}; {len(data['columns'])} feature columns"
        read += f", one-hot: {plain(', '.join(categorical))}" if categorical else ""
    return f"data: {plain(data['path'])} ({read}; sha256 {data['sha256'][:12]})"


def print_summary(summary: dict[str, Any], console: Console) -> None:
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary["status_counts"].items()))
    used = summary["budget_used"]
    plugins = plain(", ".join(p["name"] for p in summary["plugins"]))
    console.print(f"[bold]study[/] {plain(summary['storage'])}  (plugins: {plugins}; seed {summary['seed']})")
    console.print(f"trials: {summary['trials']} ({counts or 'none'}); duplicates answered from the study: {summary['duplicates']}")
    console.print(
        f"budget used: {used['trials']} evaluations, {used['cost_seconds']:.0f}s search time, "
        f"{used['wall_seconds']:.1f}s wall clock"
    )
    if summary.get("data"):
        console.print(data_line(summary["data"]))
    if summary.get("stopped"):
        console.print(f"stopped: {plain(summary['stopped'])}")
    constraints = summary.get("constraints") or []
    if constraints:
        violating = summary["infeasible"]
        console.print(f"constraints: {plain(', '.join(constraints))} ({violating} {'trial violates' if violating == 1 else 'trials violate'} them)")
    if summary.get("answer"):
        console.print(f"[bold]answer[/] (named by the strategy; export, retrain and draw use it): {arch_text(summary['answer']['arch'])}")
    aside = summary.get("answer_set_aside")
    if aside:
        console.print(f"the strategy named {arch_text(aside['arch'])}, set aside: {plain(aside['why'])}")
    best = summary["best"]
    if best is None:
        if summary.get("infeasible"):
            console.print(f"[yellow]no feasible trial: {summary['infeasible']} trials violate the constraints, none satisfies them[/]")
        else:
            console.print("[yellow]no completed trial yet[/]")
        return
    label = "best feasible" if constraints else "best"
    trained = "" if best.get("fidelity") is None else f", {best['fidelity']} epochs"  # what a multi-fidelity trial trained
    console.print(f"[bold]{label}[/] (trial {best['trial_id']}{trained}): {arch_text(best['arch'])}")
    table = Table(show_header=True)
    constrained = Constraints.parse(constraints).metrics
    metrics = list(dict.fromkeys(m for m in (*KEY_METRICS, *constrained) if m in best["metrics"]))
    for column in ("objective", *metrics):
        table.add_column(column, justify="right")
    table.add_row(f"{best['objective']:.4g}", *(f"{best['metrics'][m]:.4g}" for m in metrics))
    console.print(table)
    for extra in best.get("info", {}).get("tables", []):
        if is_info_table(extra):
            console.print(info_table(extra))


def is_info_table(table: object) -> bool:
    return isinstance(table, dict) and isinstance(table.get("columns"), list) and isinstance(table.get("rows"), list)


def info_table(table: dict[str, Any]) -> Table:
    """A table a plugin put in a trial's ``info["tables"]`` (``title``, ``columns``, ``rows``),
    such as fednas' clients x classes counts of its partition."""
    shown = numbers_table(plain(table.get("title", "")), tuple(map(plain, table["columns"])))
    for row in table["rows"]:
        shown.add_row(*(plain(cell) for cell in row))
    return shown


def print_front(front: ParetoFront, path: str, console: Console) -> None:
    """The non-dominated trials, best first on the first metric, with the key metrics beside."""
    axes = [f"{axis.metric} ({axis.direction})" for axis in front.axes]
    shown = {axis.metric for axis in front.axes}
    extra = [m for m in KEY_METRICS if m not in shown and any(m in p.row.result["metrics"] for p in front.front)]
    data = front.to_dict()
    console.print(
        f"[bold]Pareto front[/] of {plain(path)}: {len(front.front)} of {data['compared']} feasible trials that "
        f"report {plain(', '.join(axis.metric for axis in front.axes))}"
        + (f"; {data['infeasible_left_out']} infeasible ones left out" if data["infeasible_left_out"] else "")
        + (f"; {front.unreported} trials report not all of them" if front.unreported else "")
    )
    table = numbers_table("", ("trial", *map(plain, axes), *extra))
    table.add_column("architecture", justify="left", overflow="fold")
    for point in front.front:
        metrics = point.row.result["metrics"]
        table.add_row(
            str(point.row.trial_id),
            *(f"{value:.4g}" for value in point.values),
            *(f"{metrics[m]:.4g}" if m in metrics else "-" for m in extra),
            arch_text(point.row.candidate["arch"]),
        )
    console.print(table)
