"""Plugin-specific panels: series a plugin records per trial, drawn when a study has them.

DARTS records, per supernet epoch (one trial), the entropy of its alphas and the share of skip
connections (``nas_darts.collapse``); a predictor that answers candidates instead of training
them (GPNAS's filter, ``gpnas-predictor``) records its predictions as ``predicted`` trials, next to
the accuracies of the candidates it let through; and GPNAS's filter records, as the metric
``gpnas_predicted``, the prediction each candidate it let through was judged by: predicted against
actual, and the error over trials. Each panel is a title, axis titles and named series of (x, y)
points.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

Record = Mapping[str, Any]
GPNAS_PREDICTED = "gpnas_predicted"  # nas_gpnas.filter.PREDICTED_METRIC
ERROR_WINDOW = 20  # the error's moving mean is over this many trained candidates


def panels(records: Sequence[Record], metrics: Sequence[str], statuses: Collection[str]) -> list[dict[str, Any]]:
    """The panels of a study with these trials, metric columns and trial statuses (a study
    without any of what they draw, most studies, costs nothing per trial)."""
    found = []
    if "alpha_entropy" in metrics:
        found += _darts(records, metrics)
    if "predicted" in statuses:
        found.append(_predictions(records))
    if GPNAS_PREDICTED in metrics:
        found += _predictor_error(records)
    return found


def _darts(records: Sequence[Record], metrics: Sequence[str]) -> list[dict[str, Any]]:
    epochs = [r for r in records if r["status"] == "complete" and _number(r.get("alpha_entropy")) is not None]

    def x(r: Record) -> Any:
        return r.get("epoch") if _number(r.get("epoch")) is not None else r["fidelity"]

    def series(name: str, metric: str) -> dict[str, Any]:
        points = [(x(r), r.get(metric)) for r in epochs if _number(r.get(metric)) is not None]
        return {"name": name, "x": [p[0] for p in points], "y": [p[1] for p in points]}

    skip = [series("skip share of the derived normal cell", "skip_fraction"),
            series("mean alpha weight on skip", "skip_weight")]  # fmt: skip
    if "parameter_free_fraction" in metrics:
        skip.append(series("parameter-free share of the derived normal cell", "parameter_free_fraction"))
    return [
        {"id": "darts-entropy", "title": "DARTS: alpha entropy per epoch (nats)", "x_title": "epoch",
         "series": [series("alpha entropy", "alpha_entropy"), series("uniform mixing", "alpha_entropy_max")]},
        {"id": "darts-skip", "title": "DARTS: skip connections per epoch", "x_title": "epoch", "series": skip},
    ]  # fmt: skip


def _predictions(records: Sequence[Record]) -> dict[str, Any]:
    def series(name: str, status: str) -> dict[str, Any]:
        points = [(r["trial_id"], r["objective"]) for r in records if r["status"] == status and _number(r["objective"]) is not None]
        return {"name": name, "x": [p[0] for p in points], "y": [p[1] for p in points], "mode": "markers"}

    return {"id": "predictor", "title": "Predictor: accuracies it predicted for the candidates it skipped, and those trained",
            "x_title": "trial", "series": [series("trained (objective)", "complete"), series("predicted, not trained", "predicted")]}  # fmt: skip


def _predictor_error(records: Sequence[Record]) -> list[dict[str, Any]]:
    """The prediction of every candidate the filter let through against the objective it then got."""
    pairs = [(r["trial_id"], float(r[GPNAS_PREDICTED]), float(r["objective"])) for r in records
             if r["status"] == "complete" and _number(r[GPNAS_PREDICTED]) is not None and _number(r["objective"]) is not None]  # fmt: skip
    ids, predicted, actual = [p[0] for p in pairs], [p[1] for p in pairs], [p[2] for p in pairs]
    errors = [p - a for p, a in zip(predicted, actual)]
    moving = [sum(abs(e) for e in errors[max(0, k + 1 - ERROR_WINDOW) : k + 1]) / min(k + 1, ERROR_WINDOW) for k in range(len(errors))]
    line = [min(predicted + actual), max(predicted + actual)] if pairs else []
    return [
        {"id": "predictor-vs-actual", "title": "GPNAS predictor: predicted against actual, candidates it let through",
         "x_title": "actual (objective)", "y_title": "predicted",
         "series": [{"name": "trained candidate", "x": actual, "y": predicted, "mode": "markers", "text": [f"trial {i}" for i in ids]},
                    {"name": "predicted = actual", "x": line, "y": line, "mode": "lines"}]},
        {"id": "predictor-error", "title": "GPNAS predictor: error over trials (predicted - actual)", "x_title": "trial",
         "y_title": "error",
         "series": [{"name": "error", "x": ids, "y": errors, "mode": "markers"},
                    {"name": f"mean absolute error, last {ERROR_WINDOW}", "x": ids, "y": moving, "mode": "lines"}]},
    ]  # fmt: skip


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None
