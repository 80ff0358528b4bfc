# SymMIM as the paper reads literally (the previous default): mask tokens in place, the
# whole sequence encoded, linear decoder, both encoders on one view.
_base_ = [
    './_base_/vit-tiny-p4_fashion-mnist-32px.py',
    '../_base_/models/symmim-inplace_vit-base-p16.py',
]

model = dict(
    backbone=dict(arch=dict(_delete_=True, **_base_.encoder.arch), img_size=32,
                  patch_size=4),
    neck=dict(in_channels=96, encoder_stride=4),
    head=dict(patch_size=4),
    proj_hidden=512,
    proj_out=128)
train_dataloader = dict(dataset=dict(pipeline=[
    *_base_.augmentation,
    dict(type='SymmetricMaskGenerator', input_size=32, patch_size=4, block_size=8),
    dict(type='PackInputs', algorithm_keys=['momentum_mask']),
]))
