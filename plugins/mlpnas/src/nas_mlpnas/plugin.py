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

from typing import TYPE_CHECKING

from nas_core import Config, ConfigError, MLPSpace, OptionGroup, hookimpl

if TYPE_CHECKING:  # torch is imported only by runs that use the plugin
    from nas_mlpnas.strategy import Settings

# No NAS_REQUIRES: the controller needs the MLP space *or* DECISIONS, which grammar_for checks.


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    add = group.addoption
    add("--mlpnas-hidden", type=int, default=128, help="LSTM hidden size of the controller (paper 5.1: 128)")
    add("--mlpnas-epochs", type=int, default=10, help="controller epochs, 0: until the budget is spent (paper 5.1: 10)")
    add("--mlpnas-batch", type=int, default=10, help="architectures sampled per controller epoch (paper 5.1: 10)")
    add("--mlpnas-lr", type=float, default=0.01, help="controller Adam learning rate (paper 5.1: 0.01)")
    add("--mlpnas-lr-decay", type=float, default=0.1, help="learning rate lr/(1+decay*updates), Keras' decay (paper 5.1: 0.1)")
    add("--mlpnas-steps", type=int, default=1, help="controller updates per controller epoch")
    add("--mlpnas-discount", type=float, default=0.9, help="discount of the reward over the tokens (reference code: 0.9)")
    add("--mlpnas-baseline-decay", type=float, default=0.9, help="decay of the moving-average reward baseline")
    add("--mlpnas-predictor", type=bool, default=False, help="train the accuracy-predictor head on the LSTM (paper 4.2)")
    add("--mlpnas-adversarial", type=float, default=0.0, help="reward bonus per point the predictor missed by (paper 4.2; needs the predictor)")
    add("--mlpnas-sharing", type=bool, default=False, help="one-shot bigram weight sharing between children (paper 4.1; --space mlp)")


def _settings(config: Config) -> Settings:
    from nas_mlpnas.strategy import Settings

    return Settings(**{name: config.option(f"mlpnas_{name}") for name in Settings.__dataclass_fields__})


@hookimpl
def nas_configure(config: Config) -> None:
    from nas_mlpnas.grammar import grammar_for
    from nas_mlpnas.strategy import MLPNAS, ControllerCheckpoint

    strategy = MLPNAS(grammar_for(config.space), _settings(config), config.rng("mlpnas"))
    config.register(strategy)
    config.register(ControllerCheckpoint(strategy))
    if config.option("mlpnas_sharing"):
        _register_sharing(config)


def _register_sharing(config: Config) -> None:
    if not isinstance(config.space, MLPSpace) or config.benchmark is not None or config.dataset is None:
        raise ConfigError("--mlpnas-sharing shares trained weights: it needs --space mlp with a --dataset to train on")
    from nas_core import DeviceData, resolve_device, train_settings_from
    from nas_mlpnas.sharing import SharedWeightsEstimator

    repeats = config.option("train_repeats")
    data = DeviceData(config.dataset, resolve_device(config.device))
    estimator = SharedWeightsEstimator(config.space, data, train_settings_from(config.options), config.seed, repeats)
    config.register(estimator)
    for number, shard in enumerate(estimator.store.shards):
        config.register(shard, f"BigramShard{number:03d}")
