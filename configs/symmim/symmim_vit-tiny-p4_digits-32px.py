# Quickstart: SymMIM on the 1,797 handwritten digits that ship inside scikit-learn
# (no download), 32 px, a tiny ViT with 4-px patches; a few minutes on 2 CPU cores.
#   python tools/train.py configs/symmim/symmim_vit-tiny-p4_digits-32px.py
_base_ = [
    '../_base_/models/symmim_vit-base-p16.py',
    '../_base_/schedules/adamw_pretrain.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

# 8x8 patch grid; M2 uses 8-px blocks (k = 2 patches, as 32 px / 16 px at 224).
model = dict(
    backbone=dict(
        arch=dict(
            _delete_=True, embed_dims=96, num_layers=6, num_heads=3, feedforward_channels=384),
        img_size=32,
        patch_size=4),
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

# Digits scaled to [0, 255]: background 0, strokes up to 255.
data_preprocessor = dict(
    type='SymMIMDataPreprocessor', mean=[78.0] * 3, std=[96.0] * 3, to_rgb=False)
# Two views with MoCo v3's augmentations for the two encoders, scaled to 32-px grey images
# (blur sigma up to 0.5 px; no hue jitter on grey), then M1 for the first view, M2 for the
# second.
view = [
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.2, 1.0), interpolation='bicubic'),
    dict(
        type='RandomApply',
        prob=0.8,
        transforms=[
            dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.)
        ]),
]
blur = dict(type='GaussianBlur', magnitude_range=(0.1, 0.5), magnitude_std='inf')
train_pipeline = [
    dict(
        type='MultiView',
        num_views=[1, 1],
        transforms=[[*view, dict(blur, prob=1.0)],
                    [*view, dict(blur, prob=0.1),
                     dict(type='Solarize', thr=128, prob=0.2)]]),
    dict(type='SymmetricMaskGenerator', input_size=32, patch_size=4, block_size=8),
    dict(type='PackInputs', algorithm_keys=['momentum_mask']),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='Digits', split='train', img_size=32, pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=1e-3))  # a tiny ViT and batch 64 take a larger lr
max_epochs = 30
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=3,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - 3,
        eta_min=1e-5,
        by_epoch=True,
        begin=3,
        end=max_epochs,
        convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    # written atomically, loadable with weights_only=True (resume needs no trust)
    checkpoint=dict(type='SafeCheckpointHook', interval=5, max_keep_ckpts=2))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, diff_rank_seed=True)
# Random states in checkpoints (`--resume` repeats the uninterrupted run exactly) and a
# stop with a message at the first NaN/inf loss, before it can reach a checkpoint.
custom_hooks = [dict(type='RandomStateHook'), dict(type='StopOnNonFiniteLossHook')]
