# Linear probe of the tiny ViT (MoCo v3 / MAE protocol, scaled down): frozen encoder,
# BatchNorm + linear head on the CLS token, SGD. The configs that inherit it add the data
# and the schedule.
_base_ = './vit-tiny-p4_classifier.py'

model = dict(
    backbone=dict(frozen_stages=6),
    neck=dict(type='ClsBatchNormNeck', input_features=96),
    head=dict(
        type='VisionTransformerClsHead',
        num_classes=10,
        in_channels=96,
        loss=dict(type='CrossEntropyLoss'),
        init_cfg=[dict(type='TruncNormal', layer='Linear', std=0.01)]))
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.))
