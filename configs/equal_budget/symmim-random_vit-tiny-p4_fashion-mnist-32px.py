# Ablation: SymMIM with random masks instead of the symmetric ones: M1 masks a random
# half of the patches, M2 a random half of the 2 x 2-patch blocks, new for every image.
_base_ = './symmim_vit-tiny-p4_fashion-mnist-32px.py'

train_dataloader = dict(
    dataset=dict(pipeline=[
        _base_.train_dataloader.dataset.pipeline[0],
        dict(
            type='SymmetricMaskGenerator',
            input_size=32,
            patch_size=4,
            block_size=8,
            mask_mode='random',
            mask_ratio=0.5),
        dict(type='PackInputs', algorithm_keys=['momentum_mask']),
    ]))
