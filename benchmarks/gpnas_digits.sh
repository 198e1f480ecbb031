#!/usr/bin/env bash
# GPNAS on real data: the generalized-operator cell space on digits, the GCN filter on vs off, the
# same budget of trained candidates, over several search seeds. Writes benchmarks/results/gpnas_digits.json.
#   NAS_DATA_DIR=../shared/data SEEDS=5 benchmarks/gpnas_digits.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1  # tiny networks: more threads only spin against the other jobs
out=benchmarks/results
tmp=$(mktemp -d)
seeds=${SEEDS:-5}
common=(--plugin gpnas --space nb201-gen --dataset digits --budget "${BUDGET:-24}"
        --nb201-channels 8 --nb201-cells 1 --train-epochs 6 --gpnas-warmup 8 --quiet)
for seed in $(seq 0 $((seeds - 1))); do
  for filter in true false; do
    nas search "${common[@]}" --seed "$seed" --gpnas-filter "$filter" --storage "$tmp/${filter}_$seed.db"
    nas show "$tmp/${filter}_$seed.db" --json > "$tmp/${filter}_$seed.json"
  done
done
python - "$tmp" "$out/gpnas_digits.json" "$seeds" "SEEDS=$seeds $0 ${common[*]} --seed S --gpnas-filter F" <<'PY'
import json, statistics, sys
tmp, target, seeds, command = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
out = {"command": command, "runs": {}, "summary": {}}
for filter in ("true", "false"):
    runs = []
    for seed in range(seeds):
        d = json.load(open(f"{tmp}/{filter}_{seed}.json"))
        best = d["best"]
        runs.append({
            "seed": seed, "status_counts": d["status_counts"], "budget_used": d["budget_used"],
            "best_valid": best["metrics"].get("valid_acc"), "best_test": best["metrics"].get("test_acc"),
            "best_arch": best["arch"],
        })
    out["runs"][f"filter_{filter}"] = runs
    tests = [r["best_test"] for r in runs]
    out["summary"][f"filter_{filter}"] = {
        "best_test_mean": statistics.mean(tests), "best_test_std": statistics.stdev(tests) if len(tests) > 1 else 0.0,
        "skipped_mean": statistics.mean(r["status_counts"].get("predicted", 0) for r in runs),
        "search_seconds_mean": statistics.mean(r["budget_used"]["cost_seconds"] for r in runs),
    }
    print(filter, out["summary"][f"filter_{filter}"])
json.dump(out, open(target, "w"), indent=1)
PY
