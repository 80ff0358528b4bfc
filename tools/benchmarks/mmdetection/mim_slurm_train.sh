#!/usr/bin/env bash
# Fine-tune a SymMIM checkpoint with an MMDetection config on a slurm cluster.
#   [GPUS=8 GPUS_PER_NODE=8] bash tools/benchmarks/mmdetection/mim_slurm_train.sh \
#       PARTITION CONFIG PRETRAIN [train.py flags]
# PRETRAIN: a SymMIM checkpoint (see mim_dist_train.sh for the encoder prefix).
# Work dir: work_dirs/<config>/<checkpoint> unless --work-dir is given.
set -e
PARTITION=$1
CONFIG=$2
PRETRAIN=$3
JOB_NAME="$(basename "${CONFIG%.*}")"
WORK_DIR="work_dirs/$JOB_NAME/$(basename "${PRETRAIN%.*}")"

bash "$(dirname "$0")/../../slurm_train.sh" "$PARTITION" "$JOB_NAME" "$CONFIG" "$WORK_DIR" \
    --cfg-options model.backbone.init_cfg.checkpoint="$PRETRAIN" "${@:4}"
