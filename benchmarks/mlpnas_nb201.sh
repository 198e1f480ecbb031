#!/usr/bin/env bash
# The mlpnas controller as the REINFORCE baseline on NB201, next to regularized evolution in the same
# bench: 100 seeds, 12000 s simulated, all three datasets. The controller runs until the budget is
# spent (--mlpnas-epochs 0); everything else is the plugin's defaults (the MLPNAS paper's).
#   NAS_DATA_DIR=../shared/data benchmarks/mlpnas_nb201.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/results
mkdir -p "$out"
for dataset in cifar10 cifar100 ImageNet16-120; do
  nas bench --plugin mlpnas --plugin evolution --benchmark nb201 --dataset "$dataset" \
    --seeds 100 --budget 12000s --mlpnas-epochs 0 --quiet -o "$out/mlpnas_nb201_$dataset.json"
  nas plot "$out/mlpnas_nb201_$dataset.json" -o "$out/mlpnas_nb201_$dataset.png"
done
python - "$out" <<'PY'
import json, sys
published = {"cifar10": "91.09±0.37", "cifar100": "71.61±1.12", "ImageNet16-120": "45.05±1.02"}
for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
    result = json.load(open(f"{sys.argv[1]}/mlpnas_nb201_{dataset}.json"))
    for label, s in result["summary"].items():
        print(f"{dataset:15s} {label:10s} valid {s['final_valid_mean']:.2f} ± {s['final_valid_std']:.2f}  "
              f"test {s['final_test_mean']:.2f} ± {s['final_test_std']:.2f}  regret {s['regret_mean']:.3f}  "
              f"queries {s['queries_mean']:.1f}  optimum found {100 * s['found_optimum_rate']:.0f}%")
    print(f"{dataset:15s} REINFORCE (NB201 paper, 12-epoch signal) valid {published[dataset]}")
PY
