"""``nas retrain-bench``: search with several seeds, retrain every answer from scratch with several
seeds, and compare with random architectures of the same space retrained the same way.

- :mod:`.plan`: what to run (methods, seeds, the retraining protocol), the study files, the
  random architectures;
- :mod:`.log`: the record of the pieces done, what makes a rerun skip them;
- :mod:`.runner`: runs what is not done yet, in process or in worker processes, and reports;
- :mod:`.summary`: the statistics of the report.
"""

from nas_core.retrain_bench.plan import RetrainBenchPlan
from nas_core.retrain_bench.runner import run_retrain_bench

__all__ = ["RetrainBenchPlan", "run_retrain_bench"]
