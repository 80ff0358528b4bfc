# SymMIM as the paper reads literally (the previous default): masked patches replaced in
# place by the mask token and the whole sequence encoded, linear decoder (1x1 conv +
# PixelShuffle), L1, both encoders on one view (the benchmark's crop and flip).
_base_ = './symmim_vit-tiny-p4_fashion-mnist-32px.py'

model = dict(
    online_drop_masked=False,
    momentum_drop_masked=False,
    two_views=False,
    neck=dict(_delete_=True, type='SymMIMLinearDecoder', in_channels=96, encoder_stride=4))
train_dataloader = dict(
    dataset=dict(pipeline=[
        *_base_.augmentation,
        dict(type='SymmetricMaskGenerator', input_size=32, patch_size=4, block_size=8),
        dict(type='PackInputs', algorithm_keys=['momentum_mask']),
    ]))
