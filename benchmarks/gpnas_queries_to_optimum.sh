#!/usr/bin/env bash
# Queries (trained or looked-up candidates; the filter's free predictions do not count) until the
# NB201 global optimum is evaluated, median over seeds (paper: GPNAS needs 3x fewer than evolution
# and 5x fewer than random search). Each method gets a budget of queries large enough for most of
# its seeds to find the optimum; a seed that does not counts as "more than the budget". A run ends
# when it evaluates the optimum (--stop-at-optimum), and the JSON is rewritten after every run.
#   NAS_DATA_DIR=../shared/data benchmarks/gpnas_queries_to_optimum.sh
#   SEEDS=10 DATASET=cifar10 GPNAS_QUERIES=600 benchmarks/gpnas_queries_to_optimum.sh
#   SETS=gpnas JOBS=2 benchmarks/gpnas_queries_to_optimum.sh    # rerun one method; summarize all three
#   SETS=none benchmarks/gpnas_queries_to_optimum.sh             # only summarize
# The summary merges every gpnas_queries_to_optimum_<dataset>_<method>*.json (seed ranges run as
# separate processes, e.g. `nas bench ... --seed-start 10 --seeds 10 -o ..._gpnas_seeds10-19.json`);
# a run still unfinished when a file was written is not counted.
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/results
dataset=${DATASET:-cifar10}
seeds=${SEEDS:-20}
bench() {  # set, queries, seeds
  nas bench --plugin "$1" --benchmark nb201 --dataset "$dataset" --seeds "$3" --budget "$2" \
    --jobs "${JOBS:-1}" --stop-at-optimum --quiet -o "$out/gpnas_queries_to_optimum_${dataset}_$1.json"
}
sets=" ${SETS:-gpnas evolution random} "
[[ $sets == *" gpnas "* ]] && bench gpnas "${GPNAS_QUERIES:-600}" "$seeds"
[[ $sets == *" evolution "* ]] && bench evolution "${EVOLUTION_QUERIES:-3000}" 100
[[ $sets == *" random "* ]] && bench random "${RANDOM_QUERIES:-15000}" 100
python - "$out" "$dataset" <<'PY'
import glob, json, sys
from nas_core.comparison import summarize_runs
out, dataset = sys.argv[1:]
for name in ("gpnas", "evolution", "random"):
    runs, optimum = {}, None
    for path in sorted(glob.glob(f"{out}/gpnas_queries_to_optimum_{dataset}_{name}*.json")):
        results = json.load(open(path))
        optimum = results["optimum"]["valid_acc"]
        for run in results["runs"][name]:
            runs.setdefault(run["seed"], run)
    s = summarize_runs(list(runs.values()), optimum)
    print(f"{name:10s} seeds {s['runs']:3d} found {s['found_optimum_rate']:.2f} median queries {s['queries_to_optimum_median']}")
PY
