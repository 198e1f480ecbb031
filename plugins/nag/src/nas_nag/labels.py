"""Performance-indicator labels (paper 3.3): every architecture of the NAS dataset is ranked by
each indicator and its third of the ranking is its label (low / medium / high accuracy, few /
medium / large params or FLOPs). Requested labels (``high-acc,few-params``) name one class of
some indicators; the generator is conditioned on exactly those indicators.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from nas_core import ConfigError, NasError

CLASSES = 3  # tertiles


@dataclass(frozen=True)
class Indicator:
    """``metric`` is the result's metric the indicator ranks (None: the objective, the accuracy the
    search sees); ``labels`` name the thirds from lowest to highest value."""

    name: str
    metric: str | None
    labels: tuple[str, str, str]


INDICATORS: tuple[Indicator, ...] = (
    Indicator("acc", None, ("low-acc", "medium-acc", "high-acc")),
    Indicator("params", "params", ("few-params", "medium-params", "large-params")),
    Indicator("flops", "flops", ("few-flops", "medium-flops", "large-flops")),
)
_BY_LABEL = {label: (indicator, k) for indicator in INDICATORS for k, label in enumerate(indicator.labels)}


@dataclass(frozen=True)
class LabelRequest:
    """Conditioning indicators (in ``INDICATORS`` order) and the requested class of each."""

    indicators: tuple[Indicator, ...]
    classes: tuple[int, ...]

    @property
    def names(self) -> str:
        return ",".join(ind.labels[k] for ind, k in zip(self.indicators, self.classes))


def parse_labels(text: str, flag: str) -> LabelRequest:
    """``"high-acc,few-params"`` -> a request; a one-line ConfigError naming ``flag`` otherwise."""
    chosen: dict[str, int] = {}
    for label in (part.strip() for part in text.split(",")):
        if label not in _BY_LABEL:
            raise ConfigError(f"{flag}: unknown label {label!r} (choose from {', '.join(_BY_LABEL)})")
        indicator, k = _BY_LABEL[label]
        if indicator.name in chosen:
            raise ConfigError(f"{flag}: two labels of the same indicator in {text!r}")
        chosen[indicator.name] = k
    indicators = tuple(ind for ind in INDICATORS if ind.name in chosen)
    return LabelRequest(indicators, tuple(chosen[ind.name] for ind in indicators))


def tertiles(values: Sequence[float]) -> np.ndarray:
    """Class 0, 1 or 2 for the lowest, middle and highest third of ``values`` by rank (ties keep
    their order in ``values``)."""
    order = np.argsort(np.asarray(values, dtype=float), kind="stable")
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks * CLASSES // max(1, len(order))


def indicator_value(indicator: Indicator, objective: float, metrics: Mapping[str, float]) -> float:
    if indicator.metric is None:
        return objective
    if indicator.metric not in metrics:
        raise NasError(
            f"the {indicator.name} label needs a '{indicator.metric}' metric, which the estimator does not report"
        )
    return float(metrics[indicator.metric])
