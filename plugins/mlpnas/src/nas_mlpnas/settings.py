"""``--mlpnas-*``: the controller's hyper-parameters; defaults are the paper's (section 5.1)."""

from __future__ import annotations

from dataclasses import dataclass

from nas_core import ConfigError, Settings, setting


@dataclass(frozen=True)
class ControllerSettings(Settings, prefix="mlpnas"):
    hidden: int = setting(128, "LSTM hidden size of the controller (paper 5.1: 128)", at_least=1)
    epochs: int = setting(10, "controller epochs, 0: until the budget is spent (paper 5.1: 10)", at_least=0)
    batch: int = setting(10, "architectures sampled per controller epoch (paper 5.1: 10)", at_least=1)
    lr: float = setting(0.01, "controller Adam learning rate (paper 5.1: 0.01)", above=0)
    lr_decay: float = setting(0.1, "learning rate lr/(1+decay*updates), Keras' decay (paper 5.1: 0.1)", at_least=0)
    steps: int = setting(1, "controller updates per controller epoch", at_least=1)
    discount: float = setting(0.9, "discount of the reward over the tokens (reference code: 0.9)", at_least=0, at_most=1)
    baseline_decay: float = setting(0.9, "decay of the moving-average reward baseline", at_least=0, at_most=1)
    predictor: bool = setting(False, "train the accuracy-predictor head on the LSTM (paper 4.2)")
    adversarial: float = setting(0.0, "reward bonus per point the predictor missed by (paper 4.2; needs the predictor)", at_least=0)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.adversarial and not self.predictor:
            raise ConfigError("--mlpnas-adversarial rewards surprising the predictor: add --mlpnas-predictor true")
