#!/usr/bin/env bash
# Evaluate a fine-tuned MMSegmentation checkpoint on this node's GPUs (torchrun).
#   bash tools/benchmarks/mmsegmentation/mim_dist_test.sh CONFIG CHECKPOINT GPUS [test.py flags]
set -e
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
ROOT="$(dirname "$0")/../../.."
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}

PYTHONPATH="$ROOT":$PYTHONPATH \
torchrun \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --master_port="$PORT" \
    --nproc_per_node="$GPUS" \
    "$ROOT/tools/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
