"""Training is seeded, sampling reproducible, and the saved state restores the generator exactly."""

import numpy as np
import pytest

from nas_core import NB201Space
from nas_nag.gan import NAG
from nas_nag.grammar import NB201Grammar
from nas_nag.settings import GANSettings
from nagtest_tiny import TINY_GAN


def data(n: int = 12):
    space = NB201Space()
    rng = np.random.default_rng(0)
    return [space.sample(rng) for _ in range(n)], rng.integers(3, size=(n, 1))


@pytest.mark.parametrize("variant", [{}, {"loss": "bce", "graph": "probability", "readout": "mean"}])
def test_training_is_seeded_and_the_state_restores_the_generator(variant: dict) -> None:
    from dataclasses import replace

    settings = replace(TINY_GAN, **variant)
    grammar = NB201Grammar(NB201Space())
    archs, labels = data()
    first, second = NAG(grammar, (3,), settings, seed=7), NAG(grammar, (3,), settings, seed=7)
    report = first.fit(archs, labels)
    second.fit(archs, labels)
    assert report.iterations == 2 * 2 and set(report.history) == {"d_loss", "g_loss", "d_real", "d_fake"}
    rows = np.zeros((20, 1), dtype=np.int64)
    drawn = [s.arch for s in first.generate(rows, np.random.default_rng(1))]
    assert drawn == [s.arch for s in second.generate(rows, np.random.default_rng(1))]
    restored = NAG(grammar, (3,), settings, seed=7)
    restored.load_state_bytes(first.state_bytes())
    assert [s.arch for s in restored.generate(rows, np.random.default_rng(1))] == drawn
    assert restored.report == first.report
    assert restored.opt_g.state_dict()["state"].keys() == first.opt_g.state_dict()["state"].keys()


def test_bad_settings_name_the_option() -> None:
    from nas_core import ConfigError

    with pytest.raises(ConfigError, match="--nag-readout"):
        GANSettings(readout="max")
    with pytest.raises(ConfigError, match="--nag-flip-prob"):
        GANSettings(flip_prob=0.9)
