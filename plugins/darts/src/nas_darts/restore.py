"""The supernet search a darts study file holds, restored as it was after its last recorded epoch.

A study keeps the search's whole state with every trial (to resume). Restored, the searched
supernet can be asked more than the alphas say: :func:`nas_darts.perturbation.select_by_perturbation`
reads a cell from it after the fact, so one search can be compared under both selections.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from nas_core import ConfigError, device_data, from_options, load_study, prepare

from nas_darts.search import SupernetSearch
from nas_darts.settings import SearchSettings

STATE_SUFFIX = ".DifferentiableSearch"  # the state key is "<plugin name>.DifferentiableSearch"


def restored_search(
    path: str | os.PathLike[str], *, data_dir: str | None = None, device: str = "cpu", **settings: Any
) -> SupernetSearch:
    """The search of study file ``path`` at its last recorded epoch, on the data it searched.
    ``settings`` replace the study's ``--darts-*`` values (e.g. ``select="perturbation"``)."""
    study = load_study(path)
    spec = study.spec
    found = [state for name, state in study.plugin_states().items() if name.endswith(STATE_SUFFIX)]
    if len(found) != 1:
        raise ConfigError(f"{os.fspath(path)} holds {len(found)} darts searches, not one: it is not a darts study")
    if data_dir is not None:
        spec = replace(spec, data_dir=data_dir)
    prepared = prepare(spec)
    if prepared.dataset is None:
        raise ConfigError(f"{os.fspath(path)} searched no dataset")
    search_settings = replace(from_options(SearchSettings, prepared.options), **settings)
    search = SupernetSearch.create(prepared.space, device_data(prepared.dataset, device), search_settings, spec.seed)
    search.load_state_dict(found[0]["search"])
    return search
