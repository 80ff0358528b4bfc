# Fine-tune a SymMIM ViT-L/16 on ImageNet-1K: MAE's ViT-L recipe (layer decay 0.75, 50 epochs,
# lr 1e-3 x 1024/256 = MMPretrain's 4e-3).
_base_ = 'mmpretrain::mae/benchmarks/vit-large-p16_8xb128-coslr-50e_in1k.py'
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

# Layer decay and checkpoints as in the ViT-B config.
optim_wrapper = dict(
    optimizer=dict(lr=1e-3 * 1024 / 256),
    constructor='LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.75))
default_hooks = dict(checkpoint=dict(type='SafeCheckpointHook'))
auto_scale_lr = dict(base_batch_size=1024)
