# ImageNet-1K in MMPretrain's layout under data/imagenet/ (train/, meta/train.txt).
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs512_mae.py'

# JPEGs are decoded by OpenCV: of the decoders that give the same images (OpenCV, Pillow,
# libjpeg-turbo), the fastest (tools/benchmarks/data_speed.py). For data with damaged or
# unusual files use dict(type='RobustLoadImageFromFile', skip_bad=True): it names or skips
# bad files (SkippedImagesHook counts them) and decodes with Pillow, more slowly.
# The Pillow resize is kept: OpenCV's bicubic does not antialias (other images).
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
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
