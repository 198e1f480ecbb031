"""The command-line options of the GPNAS plugins and the settings they make.

``gpnas`` (the whole method) and ``gpnas-predictor`` (the filter alone) share the predictor's
options; each declares only what is not declared yet, so the two can be loaded in either order.
Defaults are the paper's where it gives one, BOHB's (Falkner et al. 2018) for the BOHB parts it
leaves unstated, and ours otherwise (each marked in the README).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from nas_core import Config, ConfigError, OptionGroup

from nas_gpnas.filter import FilterSettings
from nas_gpnas.kde import KDESettings
from nas_gpnas.predictor import PredictorSettings
from nas_gpnas.searcher import SAMPLERS


class Flag(NamedTuple):
    flag: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] | None = None


_FILTER_DEFAULTS = FilterSettings()
_PREDICTOR_DEFAULTS = PredictorSettings()
_KDE_DEFAULTS = KDESettings()

FILTER_OPTIONS: tuple[Flag, ...] = (
    Flag("--gpnas-warmup", int, _FILTER_DEFAULTS.warmup, "trained candidates before the predictor starts filtering"),
    Flag("--gpnas-filter-quantile", float, _FILTER_DEFAULTS.quantile,
     "train a candidate predicted to reach this quantile of the accuracies trained so far"),
    Flag("--gpnas-filter-patience", int, _FILTER_DEFAULTS.patience,
     "after this many skipped in a row, train the next one at least as promising as all of them"),
    Flag("--gpnas-refine-steps", int, _FILTER_DEFAULTS.refine_steps, "predictor training steps per new trained candidate"),
    Flag("--gpnas-predictor-hidden", int, _PREDICTOR_DEFAULTS.hidden, "width of the predictor's GCN and MLP"),
    Flag("--gpnas-predictor-layers", int, _PREDICTOR_DEFAULTS.gcn_layers, "GCN layers of the predictor"),
    Flag("--gpnas-predictor-epochs", int, _PREDICTOR_DEFAULTS.train_epochs, "epochs of the predictor's first fit"),
    Flag("--gpnas-predictor-lr", float, _PREDICTOR_DEFAULTS.lr, "Adam learning rate of the predictor"),
)  # fmt: skip

STRATEGY_OPTIONS: tuple[Flag, ...] = (
    Flag("--gpnas-filter", bool, True, "let the GCN predictor filter the candidates (false: the alternating BOHBs alone)"),
    Flag("--gpnas-learn-predictions", bool, False,
         "the BOHBs model the filter's predictions too (false: only trained children, as paper Fig. 2)"),
    Flag("--gpnas-sampler", str, "kde", "the BOHBs' model: kde (the paper's Algorithm 1) or smac (random forest + EI)",
         SAMPLERS),
    Flag("--gpnas-eta", int, 3, "Hyperband's halving rate"),
    Flag("--gpnas-min-epochs", int, 0, "smallest Hyperband budget in epochs when training (0: --train-epochs / eta^2)"),
    Flag("--gpnas-skip-dropout", float, 0.3, "initial dropout rate on skip connections (decreases to 0 over the budget)"),
    Flag("--gpnas-topology", str, "", "fix the topology (one 0/1 per edge) and search the operators only"),
    Flag("--gpnas-kde-min-points", int, 0, "N_min of Algorithm 1 (0: hyperparameters + 1)"),
    Flag("--gpnas-kde-top", float, _KDE_DEFAULTS.top_fraction, "q of Algorithm 1: fraction of good observations"),
    Flag("--gpnas-kde-random", float, _KDE_DEFAULTS.random_fraction, "rho of Algorithm 1: fraction of random samples"),
    Flag("--gpnas-kde-bandwidth-factor", float, _KDE_DEFAULTS.bandwidth_factor, "b_w of Algorithm 1"),
    Flag("--gpnas-kde-samples", int, _KDE_DEFAULTS.samples, "N_s of Algorithm 1"),
)  # fmt: skip


def declare(group: OptionGroup, options: tuple[Flag, ...]) -> None:
    for option in options:
        if option.flag.lstrip("-").replace("-", "_") not in group:
            group.addoption(option.flag, type=option.type, default=option.default, help=option.help, choices=option.choices)


def _check(config: Config, name: str, ok: Callable[[Any], bool], expected: str) -> Any:
    value = config.option(name)
    if not ok(value):
        raise ConfigError(f"--{name.replace('_', '-')} must be {expected}, got {value!r}")
    return value


def filter_settings(config: Config) -> FilterSettings:
    return FilterSettings(
        warmup=_check(config, "gpnas_warmup", lambda v: v >= 2, "at least 2"),
        quantile=_check(config, "gpnas_filter_quantile", lambda v: 0.0 <= v <= 1.0, "in [0, 1]"),
        patience=_check(config, "gpnas_filter_patience", lambda v: v >= 1, "at least 1"),
        refine_steps=_check(config, "gpnas_refine_steps", lambda v: v >= 0, "at least 0"),
        predictor=PredictorSettings(
            hidden=_check(config, "gpnas_predictor_hidden", lambda v: v >= 1, "at least 1"),
            gcn_layers=_check(config, "gpnas_predictor_layers", lambda v: v >= 1, "at least 1"),
            train_epochs=_check(config, "gpnas_predictor_epochs", lambda v: v >= 1, "at least 1"),
            lr=_check(config, "gpnas_predictor_lr", lambda v: v > 0, "positive"),
        ),
    )


def kde_settings(config: Config) -> KDESettings:
    return KDESettings(
        min_points=_check(config, "gpnas_kde_min_points", lambda v: v >= 0, "at least 0") or None,
        top_fraction=_check(config, "gpnas_kde_top", lambda v: 0.0 < v < 1.0, "in (0, 1)"),
        random_fraction=_check(config, "gpnas_kde_random", lambda v: 0.0 <= v <= 1.0, "in [0, 1]"),
        bandwidth_factor=_check(config, "gpnas_kde_bandwidth_factor", lambda v: v > 0, "positive"),
        samples=_check(config, "gpnas_kde_samples", lambda v: v >= 1, "at least 1"),
    )
