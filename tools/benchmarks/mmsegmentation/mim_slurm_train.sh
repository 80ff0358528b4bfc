#!/usr/bin/env bash
# Fine-tune a SymMIM checkpoint with an MMSegmentation config on a slurm cluster.
#   [GPUS=8 GPUS_PER_NODE=8] bash tools/benchmarks/mmsegmentation/mim_slurm_train.sh \
#       PARTITION CONFIG PRETRAIN [train.py flags]
# PRETRAIN: a SymMIM checkpoint (see mim_dist_train.sh for the encoder prefix).
# Work dir: work_dirs/<config>/<checkpoint> unless --work-dir is given.
# Same steps as the MMDetection script: the config decides the codebase.
exec bash "$(dirname "$0")/../mmdetection/mim_slurm_train.sh" "$@"
