"""Essential: the ``--train-*`` options of runs that train candidates on a dataset.

Which estimator a run uses is decided once, in :mod:`nas_core.estimators`.
"""

from __future__ import annotations

from nas_core.hookspecs import hookimpl
from nas_core.options import OptionGroup
from nas_core.training import OPTIMIZERS


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    group.addoption("--train-epochs", type=int, default=20, help="epochs per trial when a candidate names no fidelity")
    group.addoption("--train-batch-size", type=int, default=64, help="mini-batch size")
    group.addoption("--train-lr", type=float, default=1e-3, help="learning rate")
    group.addoption("--train-optimizer", default="adam", choices=OPTIMIZERS, help="adam, or sgd with Nesterov momentum 0.9")
    group.addoption("--train-weight-decay", type=float, default=0.0, help="L2 weight decay")
    group.addoption("--train-patience", type=int, default=0, help="early stopping patience in epochs (0: off)")
    group.addoption("--train-repeats", type=int, default=1, help="train every candidate from this many seeds and average")
