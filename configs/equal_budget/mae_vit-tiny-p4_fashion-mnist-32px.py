# MMPretrain's MAE on Fashion-MNIST: 75 % of the patches dropped, the encoder sees the rest,
# a light transformer decoder regresses per-patch normalised pixels (L2).
_base_ = [
    './_base_/vit-tiny-p4_fashion-mnist-32px.py',
    'mmpretrain::_base_/models/mae_vit-base-p16.py',
]

model = dict(
    backbone=dict(
        arch=dict(_delete_=True, **_base_.encoder.arch),
        img_size=32,
        patch_size=4,
        mask_ratio=0.75),
    neck=dict(
        num_patches=64,
        patch_size=4,
        embed_dim=96,
        decoder_embed_dim=64,
        decoder_depth=2,
        decoder_num_heads=2),
    head=dict(patch_size=4))
train_dataloader = dict(dataset=dict(pipeline=[*_base_.augmentation, dict(type='PackInputs')]))
