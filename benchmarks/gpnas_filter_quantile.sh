#!/usr/bin/env bash
# How strict GPNAS's filter should be: the bar is a quantile of the accuracies trained so far
# (--gpnas-filter-quantile, default 0.85, Algorithm 1's own line between good and bad: its top
# fraction q = 0.15). Run on seeds 100.. , which no reported NB201 result uses, next to evolution
# and random on the same seeds; each quantile is compared paired, seed for seed.
#   NAS_DATA_DIR=../shared/data benchmarks/gpnas_filter_quantile.sh
#   SEEDS=20 QUANTILES="0.5 0.85" DATASET=cifar10 benchmarks/gpnas_filter_quantile.sh
# Further arguments go to every GPNAS run; TAG names the variant in the output files:
#   TAG=_learned benchmarks/gpnas_filter_quantile.sh --gpnas-learn-predictions true
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/results
dataset=${DATASET:-cifar10}
common=(--benchmark nb201 --dataset "$dataset" --seeds "${SEEDS:-20}" --seed-start 100 --budget 12000s --quiet)
baselines="$out/gpnas_filter_baselines_$dataset.json"
[ -s "$baselines" ] || nas bench --plugin evolution --plugin random "${common[@]}" -o "$baselines"
for q in ${QUANTILES:-0.5 0.85}; do
  nas bench --plugin gpnas "${common[@]}" --jobs "${JOBS:-1}" --gpnas-filter-quantile "$q" "$@" \
    -o "$out/gpnas_filter_q${q}${TAG:-}_$dataset.json"
  python benchmarks/gpnas_compare.py "$out/gpnas_filter_q${q}${TAG:-}_$dataset.json" "$baselines"
done
