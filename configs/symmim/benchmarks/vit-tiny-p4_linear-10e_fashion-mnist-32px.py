# Linear probe (MoCo v3 / MAE protocol, scaled down) of the tiny ViT on Fashion-MNIST:
# frozen encoder, BatchNorm + linear head on the CLS token, 10 epochs on the 50,000 train
# images; validated on the val split, tested on the test split.
#   python tools/train.py configs/symmim/benchmarks/vit-tiny-p4_linear-10e_fashion-mnist-32px.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=CKPT
_base_ = [
    '../../_base_/models/vit-tiny-p4_digits.py',
    '../../_base_/datasets/fashion-mnist_32px.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

model = dict(
    backbone=dict(frozen_stages=6),
    neck=dict(type='ClsBatchNormNeck', input_features=96),
    head=dict(type='VisionTransformerClsHead', num_classes=10, in_channels=96,
              loss=dict(type='CrossEntropyLoss'),
              init_cfg=[dict(type='TruncNormal', layer='Linear', std=0.01)]))

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, begin=0, end=10,
                        convert_to_iter_based=True)]
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=10)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='SafeCheckpointHook', interval=10, max_keep_ckpts=1))
randomness = dict(seed=0)
