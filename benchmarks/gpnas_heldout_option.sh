#!/usr/bin/env bash
# One GPNAS option at two values on held-out NB201 seeds (100.., which no reported NB201 result
# uses), 12000 s per run, paired seed for seed by benchmarks/paired_variants.py.
#   NAS_DATA_DIR=../shared/data benchmarks/gpnas_heldout_option.sh NAME OPTION BASE VARIANT
#   e.g. benchmarks/gpnas_heldout_option.sh edge_prior --gpnas-edge-prior 0.5 0
# Files: benchmarks/results/gpnas_<NAME>_<value>_<dataset>.json; a file already written is kept.
# SEEDS (30), DATASETS (all three) and JOBS (1) from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 4 ] || { echo "usage: $0 NAME OPTION BASE VARIANT" >&2; exit 2; }
name=$1 option=$2 base=$3 variant=$4
out=benchmarks/results
for dataset in ${DATASETS:-cifar10 cifar100 ImageNet16-120}; do
  for value in "$base" "$variant"; do
    file="$out/gpnas_${name}_${value}_$dataset.json"
    [ -s "$file" ] || nas bench --plugin gpnas --benchmark nb201 --dataset "$dataset" --seeds "${SEEDS:-30}" --seed-start 100 \
      --budget 12000s --jobs "${JOBS:-1}" --quiet "$option" "$value" -o "$file"
  done
  python benchmarks/paired_variants.py "$out/gpnas_${name}_${base}_$dataset.json" "$out/gpnas_${name}_${variant}_$dataset.json"
done
