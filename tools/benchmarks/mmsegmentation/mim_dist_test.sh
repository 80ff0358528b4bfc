#!/usr/bin/env bash
# Evaluate a fine-tuned MMSegmentation checkpoint on this node's GPUs (torchrun).
#   bash tools/benchmarks/mmsegmentation/mim_dist_test.sh CONFIG CHECKPOINT GPUS [test.py flags]
# Same steps as the MMDetection script: the config decides the codebase.
exec bash "$(dirname "$0")/../mmdetection/mim_dist_test.sh" "$@"
