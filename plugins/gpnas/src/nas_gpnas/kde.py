"""Algorithm 1 of the paper: BOHB's TPE-style sampler, as a configuration selector for SMAC.

For a space D, with probability rho the sample is random (uniform, or by the space's weights: the
edge prior of D_sk). Otherwise the largest budget b with at least N_min + 2 observations is chosen
(none: random); its observations are split by cost into the best N_{b,l} = max(N_min, q N_b) and
the next N_{b,g} = max(N_min, N_b - N_{b,l}) (Eq. 3), one kernel density estimate is fitted to
each (l and g, Eq. 2), N_s candidates are drawn from l with its bandwidths widened by the factor
b_w (the paper's l'), and the candidate with the highest l(x)/g(x) is returned. Defaults are
BOHB's (Falkner et al. 2018), which the paper builds on and does not restate: N_min = dimensions
+ 1, q = 15%, rho = 1/3, b_w = 3, N_s = 64.

The spaces GPNAS searches are categorical, so the kernels are Aitchison-Aitken's (as BOHB's, via
statsmodels): a value keeps its observed category with probability 1 - bw and takes any other with
bw / (c - 1); bandwidths follow the normal reference rule on the category indices, clipped to
[min_bandwidth, (c - 1) / c] so that the kernel stays a distribution. The rule's exponent is a
choice (``--gpnas-kde-bandwidth``): ``univariate`` takes each dimension on its own,
1.06 sigma n^(-1/5); ``multivariate`` is what BOHB computes (statsmodels' normal reference for a
d-dimensional estimate), 1.06 sigma n^(-1/(4+d)), wider for every d > 1.

The densities are fitted to every observation the searcher was told (:class:`Observations`, kept
by the searcher across SMAC rounds), and a configuration may be sampled again: in GPNAS a child is
the combination of a topology and operators, so the best topology must be tried with other
operators, and the best operators on other topologies (BOHB itself never forbids a repeat). SMAC
identifies a trial by its configuration and would not run a repeat, so the selector raises
:class:`RepeatWanted` and the searcher continues in a fresh round (SMAC intensifier and run history).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from ConfigSpace import CategoricalHyperparameter, Configuration
from ConfigSpace.exceptions import ForbiddenValueError
from smac.main.config_selector import ConfigSelector
from smac.main.exceptions import ConfigurationSpaceExhaustedException
from smac.runhistory import RunHistory
from smac.scenario import Scenario

from nas_core import ConfigError, Settings, setting

from nas_gpnas.decoupling import CategoricalDraw, config_key

_RANDOM_TRIES = 1000  # draws of a random allowed (not forbidden) configuration before giving up
BANDWIDTH_RULES = ("univariate", "multivariate")


@dataclass(frozen=True)
class KDESettings(Settings, prefix="gpnas-kde"):
    min_points: int = setting(0, "N_min of Algorithm 1 (0: hyperparameters + 1)", at_least=0)
    top_fraction: float = setting(0.15, "q of Algorithm 1: fraction of good observations", above=0, below=1, flag="--gpnas-kde-top")
    random_fraction: float = setting(1 / 3, "rho of Algorithm 1: fraction of random samples", at_least=0, at_most=1, flag="--gpnas-kde-random")
    bandwidth_factor: float = setting(3.0, "b_w of Algorithm 1", above=0)
    samples: int = setting(64, "N_s of Algorithm 1", at_least=1)
    bandwidth: str = setting("univariate", "normal reference bandwidths per dimension alone, or for all d dimensions as BOHB's", choices=BANDWIDTH_RULES)
    min_bandwidth: float = 1e-3


class FormattedOnceConfiguration(Configuration):
    """A configuration that formats its text once.

    SMAC looks a configuration up in its run history by ``hash(repr(config))`` and names it by
    ``str(config)`` on every ask and tell, and ConfigSpace formats all values each time: over a
    long filtered search that formatting took a seventh of the run. A configuration never changes,
    so its text is kept; it equals, and hashes like, a plain configuration.
    """

    _text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            self._text = super().__str__()
        return self._text


class RepeatWanted(Exception):
    """Algorithm 1 chose a configuration this SMAC round has already run (see the module doc)."""


class KDEConfigSelector(ConfigSelector):
    """Yields configurations by Algorithm 1 from all observations in ``observations``.

    A configuration selector for SMAC's intensifiers, which only iterate over it: it uses none of
    the components (model, acquisition function, ...) a facade would hand SMAC's own selector.
    """

    def __init__(
        self,
        scenario: Scenario,
        settings: KDESettings,
        seed: int,
        observations: Observations,
        configurations: dict[int, Configuration | None],
        runhistory: RunHistory,
    ) -> None:
        """``configurations``: the allowed configurations (None: forbidden) by number, kept by the
        searcher across its rounds: a configuration is built and formatted once per search.
        ``runhistory``: the round's, which holds what SMAC has run (or is running) in it."""
        super().__init__(scenario, retrain_after=1)
        space = scenario.configspace
        self._space = space
        self._round_trials = runhistory
        hyperparameters = list(space.values())
        if not all(isinstance(h, CategoricalHyperparameter) for h in hyperparameters):
            raise ConfigError("GPNAS's kde sampler handles categorical search spaces only")
        self._settings = settings
        self._rng = np.random.default_rng(seed)
        self._sizes = np.array([len(h.choices) for h in hyperparameters])
        self._draw = CategoricalDraw(space)
        if np.prod(self._sizes.astype(float)) >= 2**62:
            raise ConfigError("GPNAS's kde sampler numbers the configurations of a space: this one has more than 2**62")
        # a vector's number in the mixed radix of the category counts, the first dimension leading
        self._radix = np.r_[np.cumprod(self._sizes[:0:-1])[::-1], 1].astype(np.int64)
        self._n_min = settings.min_points or len(hyperparameters) + 1
        self._observations = observations
        self._configurations = configurations

    def __iter__(self) -> Iterator[Configuration]:
        filling: set[bytes] = set()  # yielded for the Hyperband bracket being filled, not run yet
        while True:
            ran = {config_key(c) for c in self._round_trials.get_configs()}
            filling -= ran
            for config in self._choices():
                key = config_key(config)
                if key in filling:
                    continue  # a bracket holds distinct configurations: the next choice
                if key in ran:
                    raise RepeatWanted()
                filling.add(key)
                yield config
                break

    def _choices(self) -> Iterator[Configuration]:
        """Algorithm 1's candidates, best first (unless rho says random), then random ones."""
        yield from self._ranked()
        for _ in range(_RANDOM_TRIES):
            yield self._random()
        raise ConfigurationSpaceExhaustedException()

    # -- Algorithm 1 -------------------------------------------------------------------------------
    def _ranked(self) -> Iterator[Configuration]:
        """Algorithm 1's samples the space allows, best l/g first; none where it falls back to a
        random one (rho, too few data)."""
        s = self._settings
        if self._rng.random() < s.random_fraction:
            return
        densities = self._densities()
        if densities is None:
            return
        good = densities.good
        # N_s draws from l' (a good observation, each value resampled with its widened bandwidth)
        centres = good[self._rng.integers(len(good), size=s.samples)]
        keep = self._rng.random(centres.shape) < 1 - densities.wide
        candidates = np.where(keep, centres, self._rng.integers(self._sizes, size=centres.shape)).astype(float)
        numbers = self._numbers(candidates)
        scores = self._scores(densities, candidates, numbers)
        for i in np.argsort(-scores, kind="stable"):
            config = self._allowed(int(numbers[i]), candidates[i])
            if config is not None:
                yield config

    def _densities(self) -> Densities | None:
        """l and g of the largest budget with enough observations (None: no such budget), fitted
        once per set of observations: a searcher is asked again and again between two new ones
        (every known child), and its rounds come and go."""
        cached = self._observations.densities
        if cached is not None:
            return cached
        s = self._settings
        observed = self._observations.largest_budget_with(self._n_min + 2)
        if observed is None:
            return None
        x, cost = observed
        order = np.argsort(cost, kind="stable")
        n_good = max(self._n_min, int(s.top_fraction * len(x)))
        n_bad = max(self._n_min, len(x) - n_good)
        good, bad = x[order[:n_good]], x[order[n_good : n_good + n_bad]]
        if len(bad) == 0:
            return None
        bw_good = self._bandwidths(good)
        wide = np.clip(bw_good * s.bandwidth_factor, s.min_bandwidth, (self._sizes - 1) / self._sizes)
        l, g = CategoricalKDE(good, bw_good, self._sizes), CategoricalKDE(bad, self._bandwidths(bad), self._sizes)
        self._observations.densities = Densities(good, wide, l, g)
        return self._observations.densities

    def _numbers(self, vectors: np.ndarray) -> np.ndarray:
        """Each vector's number: its values as the digits of the category counts' mixed radix."""
        return vectors.astype(np.int64) @ self._radix

    def _scores(self, densities: Densities, candidates: np.ndarray, numbers: np.ndarray) -> np.ndarray:
        """log l(x) - log g(x) of every candidate. l' mostly copies a good observation, so each
        distinct candidate is scored once and kept with the densities (a row's score does not
        depend on the other rows: the scores are the same to the bit)."""
        codes, first, copies = np.unique(numbers, return_index=True, return_inverse=True)
        keys = codes.tolist()
        known = densities.scores
        new = [i for i, key in enumerate(keys) if key not in known]
        if new:
            rows = candidates[first[new]]
            fresh = densities.l.log_density(rows) - densities.g.log_density(rows)
            known.update(zip((keys[i] for i in new), fresh.tolist()))
        return np.array([known[key] for key in keys])[copies.reshape(-1)]

    def _bandwidths(self, data: np.ndarray) -> np.ndarray:
        s = self._settings
        return normal_reference_bandwidths(data, self._sizes, s.bandwidth, s.min_bandwidth)

    # -- random configurations ---------------------------------------------------------------------
    def _allowed(self, number: int, vector: np.ndarray) -> Configuration | None:
        if number not in self._configurations:
            try:
                config: Configuration | None = FormattedOnceConfiguration(self._space, vector=vector)
                config.check_valid_configuration()  # type: ignore[union-attr]
            except ForbiddenValueError:
                config = None
            self._configurations[number] = config
        return self._configurations[number]

    def _random(self) -> Configuration:
        for _ in range(_RANDOM_TRIES):
            vector = self._draw(self._rng)
            config = self._allowed(int(self._numbers(vector)), vector.astype(float))
            if config is not None:
                config.origin = "Random Search"
                return config
        raise ConfigurationSpaceExhaustedException()


def normal_reference_bandwidths(data: np.ndarray, sizes: np.ndarray, rule: str, min_bandwidth: float) -> np.ndarray:
    """The normal reference rule's bandwidth of every dimension of ``data`` (rows of category
    indices), kept in the valid range of the categorical kernel: 1.06 sigma n^(-1/(4+k)), k = 1
    for the ``univariate`` rule, k = d (the dimensions) for the ``multivariate`` one, BOHB's."""
    k = 1 if rule == "univariate" else len(sizes)
    raw = 1.06 * data.std(axis=0) * len(data) ** (-1 / (4 + k))
    return np.clip(raw, min_bandwidth, (sizes - 1) / sizes)


class _Rows:
    """A growing table of observations: vectors and their costs."""

    def __init__(self, dimensions: int) -> None:
        self._x = np.empty((16, dimensions))
        self._cost = np.empty(16)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(self, vector: np.ndarray, cost: float) -> None:
        if self._n == len(self._cost):
            self._x = np.concatenate([self._x, np.empty_like(self._x)])
            self._cost = np.concatenate([self._cost, np.empty_like(self._cost)])
        self._x[self._n] = vector
        self._cost[self._n] = cost
        self._n += 1

    @property
    def x(self) -> np.ndarray:
        return self._x[: self._n]

    @property
    def cost(self) -> np.ndarray:
        return self._cost[: self._n]


class CategoricalKDE:
    """A product of Aitchison-Aitken kernels around every row of ``data``, with bandwidths ``bw``.

    In logs a kernel is a sum over dimensions: log(bw / (c - 1)) where the values differ, plus a
    gain where they agree. The gains are tabulated once per dimension and value (``_gains[d][v]``:
    the gain of every data row for value v), so scoring a point is one lookup per dimension; summed
    one dimension at a time, the pairs never make the (points x data x dimensions) tensor, whose
    data grow by every answer a filtered search gets. (Lookups rather than a BLAS product, which
    would spin extra threads on a busy machine.)
    """

    def __init__(self, data: np.ndarray, bw: np.ndarray, sizes: np.ndarray) -> None:
        single = sizes == 1  # one category: the values always agree
        log_other = np.log(np.where(single, 1.0, bw / np.maximum(sizes - 1, 1)))
        gain = np.log(1 - bw) - log_other
        self._base = log_other.sum()
        self._gains = [gain[d] * (data[None, :, d] == np.arange(size)[:, None]) for d, size in enumerate(sizes)]

    def log_density(self, x: np.ndarray) -> np.ndarray:
        """log of the mean over the data rows of the product of kernels, for every row of ``x``."""
        values = x.astype(np.intp)
        log_kernel = np.full((len(x), self._gains[0].shape[1]), self._base)
        for d, gains in enumerate(self._gains):
            log_kernel += gains[values[:, d]]
        top = log_kernel.max(axis=1, keepdims=True)
        return top[:, 0] + np.log(np.exp(log_kernel - top).mean(axis=1))


@dataclass
class Densities:
    """Algorithm 1's l (good) and g (bad) for one set of observations, the good observations and
    l's widened bandwidths (l' draws from them), and log l - log g of every vector scored so far."""

    good: np.ndarray
    wide: np.ndarray
    l: CategoricalKDE
    g: CategoricalKDE
    scores: dict[int, float] = field(default_factory=dict)  # by the vector's number (its digits: categories)


class Observations:
    """Every (configuration vector, cost) a searcher was told, per budget, in order; and the
    densities fitted to them, until the next observation."""

    def __init__(self, dimensions: int) -> None:
        self._dimensions = dimensions
        self._rows: dict[float | None, _Rows] = {}
        self.densities: Densities | None = None

    def add(self, budget: float | None, vector: np.ndarray, cost: float) -> None:
        self._rows.setdefault(budget, _Rows(self._dimensions)).append(vector, cost)
        self.densities = None

    def largest_budget_with(self, at_least: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(vectors, costs) of the largest budget with ``at_least`` observations (copies)."""
        for budget in sorted(self._rows, key=lambda b: -np.inf if b is None else b, reverse=True):
            rows = self._rows[budget]
            if len(rows) >= at_least:
                return rows.x.copy(), rows.cost.copy()
        return None
