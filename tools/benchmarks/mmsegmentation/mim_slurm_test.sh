#!/usr/bin/env bash
# Evaluate a fine-tuned MMSegmentation checkpoint on a slurm cluster.
#   [GPUS=8 GPUS_PER_NODE=8] bash tools/benchmarks/mmsegmentation/mim_slurm_test.sh \
#       PARTITION CONFIG CHECKPOINT [test.py flags]
set -x
PARTITION=$1
CONFIG=$2
CHECKPOINT=$3
ROOT="$(dirname "$0")/../../.."
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}

PYTHONPATH="$ROOT":$PYTHONPATH \
srun -p "$PARTITION" \
    --job-name="$(basename "${CONFIG%.*}")" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    $SRUN_ARGS \
    python -u "$ROOT/tools/test.py" "$CONFIG" "$CHECKPOINT" --launcher=slurm "${@:4}"
