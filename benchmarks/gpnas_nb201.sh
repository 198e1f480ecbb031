#!/usr/bin/env bash
# GPNAS against regularized evolution and random search on NB201, 12000 s simulated per run.
#   NAS_DATA_DIR=../shared/data benchmarks/gpnas_nb201.sh                   # 100 seeds, 3 datasets
#   SEEDS=10 DATASETS=cifar10 SETS="gpnas" benchmarks/gpnas_nb201.sh        # a smaller run
# evolution and random are deterministic per seed: with SETS=gpnas their numbers for the same
# seeds come from benchmarks/results/nb201_baselines_<dataset>.json (gpnas_compare.py).
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/results
mkdir -p "$out"
seeds=${SEEDS:-100}
sets=${SETS:-"gpnas evolution random"}
for dataset in ${DATASETS:-cifar10 cifar100 ImageNet16-120}; do
  args=()
  for s in $sets; do args+=(--plugin "$s"); done
  nas bench "${args[@]}" --benchmark nb201 --dataset "$dataset" \
    --seeds "$seeds" --budget 12000s --jobs "${JOBS:-1}" --quiet -o "$out/gpnas_nb201_$dataset.json"
  nas plot "$out/gpnas_nb201_$dataset.json" -o "$out/gpnas_nb201_$dataset.png"
done
