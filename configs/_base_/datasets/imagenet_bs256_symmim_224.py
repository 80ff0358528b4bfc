# ImageNet-1K in MMPretrain's layout under data/imagenet/ (train/, meta/train.txt).
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs512_mae.py'

# JPEGs are decoded by OpenCV: of the decoders that give the same images (OpenCV, Pillow,
# libjpeg-turbo), the fastest (tools/benchmarks/data_speed.py). For data with damaged or
# unusual files use dict(type='RobustLoadImageFromFile', skip_bad=True): it names or skips
# bad files (SkippedImagesHook counts them) and decodes with Pillow, more slowly.
# FastRandomResizedCrop is MMPretrain's RandomResizedCrop (same crops) resized by torch's
# antialiased bicubic, Pillow's filter: pixels at most 3 off Pillow's (mean |Δ| 0.004),
# resized 5 x faster (OpenCV's bicubic does not antialias: up to 37 off, mean 4.5).
train_pipeline = [
    dict(type='LoadImageFromFile', imdecode_backend='cv2'),
    dict(
        type='FastRandomResizedCrop',
        scale=224,
        crop_ratio_range=(0.67, 1.0),
        interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='SymmetricMaskGenerator', input_size=224, patch_size=16, block_size=32),
    dict(type='PackInputs', algorithm_keys=['momentum_mask']),
]
# `_delete_`: the inherited collate_fn carries `_scope_='mmpretrain'` (added to every typed
# dict of an `mmpretrain::` base), which MMEngine 0.10 passes on to `default_collate`.
# Loading per GPU (8 GPUs of ~16 cores each): prefetch_factor stays torch's 2 batches per
# worker (set it only with workers: torch refuses it for num_workers=0).
train_dataloader = dict(
    batch_size=256,
    # a GPU's ~16 cores less 2 (trainer, pin thread); 1 view at 2,900/s needs 6-12 (docs/gpu.md)
    num_workers=14,
    pin_memory=True,  # page-locked batches: asynchronous host-to-GPU copies
    persistent_workers=True,  # no worker restart (and no re-import) at each epoch
    collate_fn=dict(_delete_=True, type='default_collate'),
    dataset=dict(pipeline=train_pipeline))
