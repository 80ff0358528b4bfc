# SymMIM on Fashion-MNIST, for the equal-budget benchmark (tools/benchmarks/equal_budget.py):
#   python tools/train.py configs/equal_budget/symmim_vit-tiny-p4_fashion-mnist-32px.py
# The shipped model (online encoder on the M1-visible half, MAE decoder, two views), with
# the decoder of the MAE config of this benchmark.
_base_ = [
    './_base_/vit-tiny-p4_fashion-mnist-32px.py',
    '../_base_/models/symmim_vit-base-p16.py',
]

# 8 x 8 patch grid; M2 uses 8-px blocks (k = 2 patches, as 32 px / 16 px at 224).
model = dict(
    backbone=dict(arch=dict(_delete_=True, **_base_.encoder.arch), img_size=32, patch_size=4),
    neck=dict(
        num_patches=64,
        patch_size=4,
        embed_dim=96,
        decoder_embed_dim=64,
        decoder_depth=2,
        decoder_num_heads=2),
    head=dict(patch_size=4),
    projector=dict(hid_channels=512, out_channels=128),
    contrast_head=dict(predictor=dict(in_channels=128, hid_channels=512, out_channels=128)))
data_preprocessor = dict(type='SymMIMDataPreprocessor')  # + the masks, once per batch

# Two views with MoCo v3's augmentations (asymmetric blur and solarisation), scaled to
# 32-px grey images: blur sigma up to 0.5 px instead of 2; no hue jitter on grey.
view = [
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.2, 1.0), interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomApply',
        prob=0.8,
        transforms=[
            dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.)
        ]),
]
blur = dict(type='GaussianBlur', magnitude_range=(0.1, 0.5), magnitude_std='inf')
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(
            type='MultiView',
            num_views=[1, 1],
            transforms=[[*view, dict(blur, prob=1.0)],
                        [*view,
                         dict(blur, prob=0.1),
                         dict(type='Solarize', thr=128, prob=0.2)]]),
        dict(type='SymmetricMaskGenerator', input_size=32, patch_size=4, block_size=8),
        dict(type='PackInputs', algorithm_keys=['momentum_mask']),
    ]))
