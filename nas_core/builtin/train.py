"""Essential: the ``--train-*`` options of runs that train candidates on a dataset.

Which estimator a run uses is decided once, in :mod:`nas_core.estimators`.
"""

from __future__ import annotations

from nas_core.hookspecs import hookimpl
from nas_core.options import OptionGroup
from nas_core.settings import declare
from nas_core.training.settings import TrainSettings


@hookimpl
def nas_addoption(group: OptionGroup) -> None:
    declare(group, TrainSettings)
