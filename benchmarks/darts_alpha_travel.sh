#!/bin/bash
# Choosing --darts-alpha-travel (the cpu schedule's alpha travel, in multiples of DARTS') on
# seeds reported nowhere else (100, 101): MiLeNAS, NB201 cell space, 50 epochs, digits and
# mnist1d, travel 1, 2, 3 (and 2 without alpha weight decay). These runs predate the option and
# set the same rate through --darts-alpha-lr = 3e-4 x travel under --darts-schedule cpu.
# Studies in runs/darts_select/; then `python benchmarks/darts_alpha_travel.py` writes
# benchmarks/results/darts_alpha_travel.json.
#   NAS_DATA_DIR=/work/shared/data bash benchmarks/darts_alpha_travel.sh
set -e
cd "$(dirname "$0")/.."
mkdir -p runs/darts_select
run() {
  dataset=$1; travel=$2; seed=$3; decay=$4
  lr=$(python3 -c "print(3e-4*$travel)")
  tag=${dataset}_t${travel}${decay:+wd$decay}_s${seed}
  out=runs/darts_select/$tag.db
  [ -f "$out.done" ] && return
  rm -f "$out"
  OMP_NUM_THREADS=1 .venv/bin/nas search --plugin darts --space nb201 --dataset "$dataset" --darts-method milenas \
    --darts-schedule cpu --darts-alpha-lr "$lr" ${decay:+--darts-alpha-weight-decay $decay} --darts-epochs 50 --budget 50 \
    --seed "$seed" --device cpu --quiet --storage "$out" > /dev/null && touch "$out.done"
}
export -f run
for dataset in mnist1d digits; do
  for travel in 1 2 3; do for seed in 100 101; do echo "$dataset $travel $seed"; done; done
  for seed in 100 101; do echo "$dataset 2 $seed 0"; done
done | xargs -P 2 -L 1 bash -c 'run "$@"' _
