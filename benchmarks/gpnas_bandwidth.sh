#!/usr/bin/env bash
# Algorithm 1's kernel bandwidths: the per-dimension normal reference rule (default) against
# BOHB's rule for d dimensions (--gpnas-kde-bandwidth multivariate), on held-out seeds.
#   NAS_DATA_DIR=../shared/data benchmarks/gpnas_bandwidth.sh
#   SEEDS=30 DATASETS="cifar10 cifar100" JOBS=2 benchmarks/gpnas_bandwidth.sh
exec "$(dirname "$0")/gpnas_heldout_option.sh" bandwidth --gpnas-kde-bandwidth univariate multivariate
