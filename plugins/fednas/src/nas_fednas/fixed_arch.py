"""``--fednas-fixed-arch``: the architecture FedAvg trains, from a cell string or a study's answer."""

from __future__ import annotations

from pathlib import Path

from nas_core import Architecture, ArchitectureError, ConfigError, NasError, NB201Cell, NB201Space, SearchSpace, load_study


def fixed_architecture(text: str, space: SearchSpace) -> Architecture:
    """A study file's answer (e.g. a FedNAS search's derived cell), or an NB201 cell string
    (``|nor_conv_3x3~0|+|...``), as a member of ``space``."""
    if Path(text).is_file():
        try:
            answer = load_study(text).answer
        except NasError as exc:
            raise ConfigError(f"--fednas-fixed-arch {text}: {exc}") from None
        if answer is None:
            raise ConfigError(f"--fednas-fixed-arch {text}: the study has no answer yet (no completed trial)")
        try:
            return space.decode(answer.to_dict())
        except ArchitectureError as exc:
            raise ConfigError(f"--fednas-fixed-arch {text}: its answer is not in --space {space.name}: {exc}") from None
    if isinstance(space, NB201Space):
        try:
            return NB201Cell.from_str(text)
        except ArchitectureError as exc:
            raise ConfigError(f"--fednas-fixed-arch {text!r} is neither a study file nor an NB201 cell: {exc}") from None
    raise ConfigError(f"--fednas-fixed-arch {text!r} is not a study file (in --space {space.name}, give a study whose answer to train)")
