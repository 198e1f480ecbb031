#!/usr/bin/env bash
# Algorithm 1's kernel bandwidths: the per-dimension normal reference rule (default) against
# BOHB's rule for d dimensions (--gpnas-kde-bandwidth multivariate), on held-out seeds 100..,
# which no reported NB201 result uses, paired seed for seed.
#   NAS_DATA_DIR=../shared/data benchmarks/gpnas_bandwidth.sh
#   SEEDS=30 DATASETS="cifar10 cifar100" JOBS=2 benchmarks/gpnas_bandwidth.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/results
for dataset in ${DATASETS:-cifar10 cifar100 ImageNet16-120}; do
  for rule in univariate multivariate; do
    file="$out/gpnas_bandwidth_${rule}_$dataset.json"
    [ -s "$file" ] || nas bench --plugin gpnas --benchmark nb201 --dataset "$dataset" --seeds "${SEEDS:-30}" --seed-start 100 \
      --budget 12000s --jobs "${JOBS:-1}" --quiet --gpnas-kde-bandwidth "$rule" -o "$file"
  done
  python benchmarks/paired_variants.py "$out/gpnas_bandwidth_univariate_$dataset.json" "$out/gpnas_bandwidth_multivariate_$dataset.json"
done
