# ViT-L/16, 1600 epochs; everything else as ViT-B.
_base_ = 'symmim_vit-base-p16_8xb256-amp-coslr-800e_in1k.py'

model = dict(backbone=dict(arch='large'), neck=dict(embed_dim=1024))

max_epochs = 1600
param_scheduler = [  # the same warm-up, the cosine stretched to 1600 epochs
    _base_.param_scheduler[0],
    dict(_base_.param_scheduler[1], T_max=max_epochs - _base_.warmup_epochs, end=max_epochs),
]
train_cfg = dict(max_epochs=max_epochs)
