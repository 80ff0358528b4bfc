# ViT-L/16, 1600 epochs; everything else as ViT-B.
_base_ = 'symmim_vit-base-p16_8xb256-amp-coslr-800e_in1k.py'

model = dict(backbone=dict(arch='large'), neck=dict(embed_dim=1024))

max_epochs = 1600
warmup_epochs = 40
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min=1e-6,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs)
