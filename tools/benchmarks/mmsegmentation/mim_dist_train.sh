#!/usr/bin/env bash
# Fine-tune a SymMIM checkpoint with an MMSegmentation config on this node's GPUs (torchrun).
#   bash tools/benchmarks/mmsegmentation/mim_dist_train.sh CONFIG PRETRAIN GPUS [train.py flags]
# PRETRAIN: a SymMIM checkpoint. Its online encoder (`backbone.`) initialises the backbone;
# add `--cfg-options model.backbone.init_cfg.prefix=momentum_encoder.module.0.` for the
# momentum encoder, or `model.backbone.init_cfg.prefix=None` for a converted file.
# Work dir: work_dirs/<config>/<checkpoint> unless --work-dir is given. Several nodes:
# NNODES, NODE_RANK, MASTER_ADDR, PORT as for tools/dist_train.sh.
# Same steps as the MMDetection script: the config decides the codebase.
exec bash "$(dirname "$0")/../mmdetection/mim_dist_train.sh" "$@"
