#!/usr/bin/env bash
# Evaluate a fine-tuned MMDetection checkpoint on a slurm cluster.
#   [GPUS=8 GPUS_PER_NODE=8] bash tools/benchmarks/mmdetection/mim_slurm_test.sh \
#       PARTITION CONFIG CHECKPOINT [test.py flags]
# The slurm job is named after the config.
set -e
PARTITION=$1
CONFIG=$2
CHECKPOINT=$3

exec bash "$(dirname "$0")/../../slurm_test.sh" "$PARTITION" "$(basename "${CONFIG%.*}")" \
    "$CONFIG" "$CHECKPOINT" "${@:4}"
