# ImageNet-1K in MMPretrain's layout under data/imagenet/ (train/, meta/train.txt).
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs512_mae.py'

# RobustLoadImageFromFile: like LoadImageFromFile, but grayscale/palette/RGBA/16-bit files
# become 3-channel uint8, and a truncated or corrupt file is named in the error; with
# `skip_bad=True` it is logged and skipped instead (SkippedImagesHook counts them).
train_pipeline = [
    dict(type='RobustLoadImageFromFile', skip_bad=False),
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.67, 1.0),
         backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='SymmetricMaskGenerator', input_size=224, patch_size=16, block_size=32),
    dict(type='PackInputs', algorithm_keys=['momentum_mask']),
]
# `_delete_`: the inherited collate_fn carries `_scope_='mmpretrain'` (added to every typed
# dict of an `mmpretrain::` base), which MMEngine 0.10 passes on to `default_collate`.
train_dataloader = dict(batch_size=256, collate_fn=dict(_delete_=True, type='default_collate'),
                        dataset=dict(pipeline=train_pipeline))
