# Fine-tune (BEiT / MAE recipe, scaled down) of the tiny ViT on Fashion-MNIST: all layers,
# layer-wise lr decay 0.65, average-pooled patch features, label smoothing, 10 epochs on the
# 50,000 train images; validated on the val split, tested on the test split.
#   python tools/train.py configs/symmim/benchmarks/vit-tiny-p4_ft-10e_fashion-mnist-32px.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=CKPT
_base_ = [
    '../../_base_/models/vit-tiny-p4_digits.py',
    '../../_base_/datasets/fashion-mnist_32px.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

model = dict(
    backbone=dict(out_type='avg_featmap', final_norm=False, drop_path_rate=0.1),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=96,
              loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
              init_cfg=[dict(type='TruncNormal', layer='Linear', std=2e-5)]))

# Layer-wise lr decay: lr = base_lr * 0.65 ** (num_layers + 1 - depth); no weight decay on
# norms, biases and tokens.
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05),
    constructor='LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(layer_decay_rate=0.65))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=9, eta_min=1e-6, by_epoch=True, begin=1, end=10,
         convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=10)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='SafeCheckpointHook', interval=10, max_keep_ckpts=1))
randomness = dict(seed=0)
