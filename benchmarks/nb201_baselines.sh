#!/usr/bin/env bash
# random and regularized evolution on NB201, 100 seeds, 12000 s simulated, all three datasets.
#   NAS_DATA_DIR=../shared/data benchmarks/nb201_baselines.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/results
mkdir -p "$out"
for dataset in cifar10 cifar100 ImageNet16-120; do
  nas bench --plugin random --plugin evolution --benchmark nb201 --dataset "$dataset" \
    --seeds 100 --budget 12000s --quiet -o "$out/nb201_baselines_$dataset.json"
  nas plot "$out/nb201_baselines_$dataset.json" -o "$out/nb201_baselines_$dataset.png"
done
python - "$out" <<'PY'
import json, sys
for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
    result = json.load(open(f"{sys.argv[1]}/nb201_baselines_{dataset}.json"))
    for label, s in result["summary"].items():
        print(f"{dataset:15s} {label:10s} valid {s['final_valid_mean']:.2f} ± {s['final_valid_std']:.2f}  "
              f"test {s['final_test_mean']:.2f} ± {s['final_test_std']:.2f}  regret {s['regret_mean']:.3f}  "
              f"queries {s['queries_mean']:.1f}  optimum found {100 * s['found_optimum_rate']:.0f}%")
PY
