"""Plugin-specific panels: series a plugin records per trial, drawn when a study has them.

DARTS records, per supernet epoch (one trial), the entropy of its alphas and the share of skip
connections (``nas_darts.collapse``); a predictor that answers candidates instead of training
them (GPNAS's filter, ``gpnas-predictor``) records its predictions as ``predicted`` trials, next to
the accuracies of the candidates it let through. Each panel is a title, an x axis and named
series of (x, y) points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

Record = Mapping[str, Any]


def panels(records: Sequence[Record], metrics: Sequence[str]) -> list[dict[str, Any]]:
    found = []
    if "alpha_entropy" in metrics:
        found += _darts(records, metrics)
    if any(r["status"] == "predicted" for r in records):
        found.append(_predictions(records))
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


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None
