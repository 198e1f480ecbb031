"""How good a generator's samples are as architectures: validity, uniqueness, novelty."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass

from nas_core import ArchitectureError, SearchSpace
from nas_nag.gan import Sample


@dataclass(frozen=True)
class Quality:
    samples: int
    validity: float  # samples that are members of the space
    uniqueness: float  # distinct networks (keys) among the valid samples, per valid sample
    novelty: float  # valid samples whose network is not in the NAS dataset
    repaired: float  # samples in which the grammar overrode one of the generator's decisions

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def assess(samples: Sequence[Sample], space: SearchSpace, training_keys: Collection[str]) -> Quality:
    valid = []
    for sample in samples:
        if sample.arch is None:
            continue
        try:
            space.validate(sample.arch)
        except ArchitectureError:
            continue
        valid.append(sample.arch.key)
    count = max(1, len(valid))
    return Quality(
        samples=len(samples),
        validity=len(valid) / max(1, len(samples)),
        uniqueness=len(set(valid)) / count,
        novelty=sum(key not in training_keys for key in valid) / count,
        repaired=sum(s.repaired for s in samples) / max(1, len(samples)),
    )
