#!/usr/bin/env bash
# Evaluate a fine-tuned MMSegmentation checkpoint on a slurm cluster.
#   [GPUS=8 GPUS_PER_NODE=8] bash tools/benchmarks/mmsegmentation/mim_slurm_test.sh \
#       PARTITION CONFIG CHECKPOINT [test.py flags]
# Same steps as the MMDetection script: the config decides the codebase.
exec bash "$(dirname "$0")/../mmdetection/mim_slurm_test.sh" "$@"
