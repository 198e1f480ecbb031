#!/usr/bin/env bash
# GPNAS on real data: the generalized-operator cell space on digits, the GCN filter on vs off,
# the same budget of trained candidates. Writes benchmarks/results/gpnas_digits.json.
#   NAS_DATA_DIR=../shared/data benchmarks/gpnas_digits.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/results
tmp=$(mktemp -d)
common=(--plugin gpnas --space nb201-gen --dataset digits --budget "${BUDGET:-24}" --seed "${SEED:-0}"
        --nb201-channels 8 --nb201-cells 1 --train-epochs 6 --gpnas-warmup 8 --quiet)
for filter in true false; do
  nice -n 10 nas search "${common[@]}" --gpnas-filter "$filter" --storage "$tmp/filter_$filter.db"
  nas show "$tmp/filter_$filter.db" --json > "$tmp/filter_$filter.json"
done
python - "$tmp" "$out/gpnas_digits.json" "$0 ${common[*]}" <<'PY'
import json, sys
tmp, target, command = sys.argv[1:]
out = {"command": command}
for filter in ("true", "false"):
    d = json.load(open(f"{tmp}/filter_{filter}.json"))
    best = d["best"]
    out[f"filter_{filter}"] = {
        "status_counts": d["status_counts"], "budget_used": d["budget_used"],
        "best_valid": best["metrics"].get("valid_acc"), "best_test": best["metrics"].get("test_acc"),
        "best_arch": best["arch"],
    }
    print(filter, out[f"filter_{filter}"])
json.dump(out, open(target, "w"), indent=1)
PY
