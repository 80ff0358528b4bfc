#!/usr/bin/env bash
# Evaluate a fine-tuned MMDetection checkpoint on this node's GPUs (torchrun).
#   bash tools/benchmarks/mmdetection/mim_dist_test.sh CONFIG CHECKPOINT GPUS [test.py flags]
# Several nodes: NNODES, NODE_RANK, MASTER_ADDR, PORT as for tools/dist_train.sh.
exec bash "$(dirname "$0")/../../dist_test.sh" "$@"
