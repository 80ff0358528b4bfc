# Fine-tune a SymMIM ViT-B/16 on ImageNet-1K (BEiT/MAE recipe: AdamW lr 5e-4 x 1024/256,
# layer decay 0.65, drop path 0.1, RandAugment, Mixup 0.8, CutMix 1.0, label smoothing 0.1,
# 5 warm-up epochs, 100 epochs). Pass the checkpoint with
#   --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/.../epoch_800.pth
# (prefix 'backbone.': the online encoder; 'momentum_encoder.module.0.' for the EMA one).
_base_ = 'mmpretrain::mae/benchmarks/vit-base-p16_8xb128-coslr-100e_in1k.py'
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

# MMPretrain's layer-decay constructor extended (same paramwise_cfg, custom_keys of the
# base config included), as every fine-tune config of this repository uses.
optim_wrapper = dict(
    optimizer=dict(lr=5e-4 * 1024 / 256),
    constructor='LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.65))
default_hooks = dict(checkpoint=dict(type='SafeCheckpointHook'))
auto_scale_lr = dict(base_batch_size=1024)
