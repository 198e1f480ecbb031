"""The core's conformance kit for ``optuna`` with samplers whose state lives in different places:
TPE (its random generator), GP (its generator and the kernel parameters it warm-starts from),
CMA-ES (its optimizer, in the trials' system attributes) and NSGA-II (its generations, there too).

GP and CMA-ES search NB201: on the kit's 125-cell table they soon ask only cells the study has
answered (free), until the core's guard of 1000 such asks in a row ends the run short of its
budget, and GP refits on every one of them (README, "Small spaces")."""

from nas_core.testing import PluginConformance


class TestOptunaTPE(PluginConformance):
    plugins = ("optuna",)
    options = {"optuna_startup_trials": 5}
    bad_options = {"optuna_sampler": "bohb", "optuna_startup_trials": 0, "optuna_population": 1}


class TestOptunaGP(TestOptunaTPE):
    benchmark = "nb201"
    options = {"optuna_sampler": "gp", "optuna_startup_trials": 5}


class TestOptunaCMAES(TestOptunaTPE):
    benchmark = "nb201"
    options = {"optuna_sampler": "cmaes"}


class TestOptunaNSGA2(TestOptunaTPE):
    options = {"optuna_sampler": "nsga2", "optuna_population": 6}
