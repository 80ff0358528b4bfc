# A SimMIM-style ViT-B/16, the reference of SymMIM's speed and accuracy benchmarks:
# the same encoder (SymMIMViT: a mask token replaces the masked patches) under
# MMPretrain's SimMIM algorithm: random masks of 60 % of the 32-px blocks, linear
# decoder (1x1 conv + PixelShuffle), L1 on the masked pixels, no momentum encoder.
# Data (but the masks), optimizer and schedule as the SymMIM ViT-B config.
_base_ = '../symmim/symmim_vit-base-p16_8xb256-amp-coslr-800e_in1k.py'

model = dict(
    _delete_=True,
    type='SimMIM',
    backbone=dict(type='SymMIMViT', arch='base', img_size=224, patch_size=16, out_type='featmap'),
    neck=dict(type='SimMIMLinearDecoder', in_channels=768, encoder_stride=16),
    head=dict(
        type='SimMIMHead',
        patch_size=16,
        loss=dict(type='PixelReconstructionLoss', criterion='L1', channel=3)))
data_preprocessor = dict(type='SelfSupDataPreprocessor')  # MMPretrain's SimMIM takes no `masks`

# SymMIM's one-view pipeline up to the flip, then SimMIM's masks (`mask` is packed by default).
train_pipeline = _base_.one_view_pipeline[:-2] + [
    dict(
        type='SimMIMMaskGenerator',
        input_size=224,
        mask_patch_size=32,
        model_patch_size=16,
        mask_ratio=0.6),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
