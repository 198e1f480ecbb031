"""MLPNAS (plugin ``mlpnas``): an LSTM controller trained with REINFORCE, bigram weight sharing
and an accuracy predictor (Minutoli & Ciranni, "Neural Architecture Search: An Overview", sections
4 and 5, appendix 7.1).

On ``--space mlp`` the controller writes MLPs layer by layer from the space's vocabulary plus an
end token; on a space with decisions (NB201 cells, tables of fixed-length encodings) it emits one
token per decision, which makes it the REINFORCE baseline of the NB201 paper. The paper's four
settings are: plain (the defaults), ``--mlpnas-predictor true``, ``--mlpnas-predictor true
--mlpnas-sharing true``, and the last with ``--mlpnas-epochs 15 --mlpnas-batch 30``. The paper
trains children for up to 10 epochs with early stopping after 3: ``--train-epochs 10
--train-patience 3`` of the core's training.
"""

from __future__ import annotations

from nas_core import (
    Config, ConfigError, MLPSpace, OptionGroup, TrainSettings, declare, from_options, hookimpl,
)

from nas_mlpnas.settings import ControllerSettings

# No NAS_REQUIRES: the controller needs the MLP space *or* DECISIONS, which grammar_for checks.


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, ControllerSettings)
    group.addoption("--mlpnas-sharing", type=bool, default=False, help="one-shot bigram weight sharing between children (paper 4.1; --space mlp)")


@hookimpl
def nas_configure(config: Config) -> None:
    from nas_mlpnas.grammar import grammar_for
    from nas_mlpnas.strategy import MLPNAS, ControllerCheckpoint

    strategy = MLPNAS(grammar_for(config.space), from_options(ControllerSettings, config.options), config.rng("mlpnas"))
    config.register(strategy)
    config.register(ControllerCheckpoint(strategy))
    if config.option("mlpnas_sharing"):
        _register_sharing(config)


def _register_sharing(config: Config) -> None:
    if not isinstance(config.space, MLPSpace) or config.benchmark is not None or config.dataset is None:
        raise ConfigError("--mlpnas-sharing shares trained weights: it needs --space mlp with a --dataset to train on")
    from nas_core import device_data
    from nas_mlpnas.sharing import SharedWeightsEstimator

    settings = from_options(TrainSettings, config.options)
    estimator = SharedWeightsEstimator(config.space, device_data(config.dataset, config.device), settings, config.seed, settings.repeats)
    config.register(estimator)
    for number, shard in enumerate(estimator.store.shards):
        config.register(shard, f"BigramShard{number:03d}")
