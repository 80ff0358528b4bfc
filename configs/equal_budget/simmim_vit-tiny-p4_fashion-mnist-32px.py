# A SimMIM-style ViT on Fashion-MNIST: MMPretrain's SimMIM algorithm (linear decoder, L1 on
# the masked pixels) on the SymMIM encoder without its momentum branch, with SimMIM's
# random block masks (60 % of the 2 x 2-patch blocks).
_base_ = './_base_/vit-tiny-p4_fashion-mnist-32px.py'

model = dict(
    type='SimMIM',
    backbone=dict(type='SymMIMViT', out_type='featmap', **_base_.encoder),
    neck=dict(type='SimMIMLinearDecoder', in_channels=96, encoder_stride=4),
    head=dict(
        type='SimMIMHead',
        patch_size=4,
        loss=dict(type='PixelReconstructionLoss', criterion='L1', channel=3)))
train_dataloader = dict(
    dataset=dict(pipeline=[
        *_base_.augmentation,
        dict(
            type='SimMIMMaskGenerator',
            input_size=32,
            mask_patch_size=8,
            model_patch_size=4,
            mask_ratio=0.6),
        dict(type='PackInputs'),
    ]))
