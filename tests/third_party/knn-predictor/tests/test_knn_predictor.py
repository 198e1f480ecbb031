"""The conformance kit with the predictor in front of the table lookup, and what it skips."""

from nas_core import Status
from nas_core.testing import PluginConformance


class TestPredictorBehindRandomSearch(PluginConformance):
    plugins = ("random", "knn-predictor")
    options = {"knn_warmup": 4}
    bad_options = {"knn_warmup": 2, "knn_quantile": 1.0}

    def test_skips_candidates_predicted_below_the_quantile_without_spending_budget(self) -> None:
        trials = self.search(self.spec(budget=30))
        predicted = [t for t in trials if t.result.status is Status.PREDICTED]
        assert predicted, "nothing was predicted"
        assert all(t.result.cost_seconds == 0 and t.result.objective < t.result.info["knn_threshold"] for t in predicted)
        assert sum(t.result.status.consumes_budget for t in trials) == 30
