# Ablation: the shipped SymMIM with both encoders on the same view (the benchmark's plain
# crop and flip) under their own masks.
_base_ = './symmim_vit-tiny-p4_fashion-mnist-32px.py'

model = dict(two_views=False)
train_dataloader = dict(
    dataset=dict(pipeline=[
        *_base_.augmentation,
        dict(type='SymmetricMaskGenerator', input_size=32, patch_size=4, block_size=8),
        dict(type='PackInputs', algorithm_keys=['momentum_mask']),
    ]))
