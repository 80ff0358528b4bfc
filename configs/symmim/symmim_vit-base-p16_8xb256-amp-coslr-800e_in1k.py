_base_ = [
    '../_base_/models/symmim_vit-base-p16.py',
    '../_base_/datasets/imagenet_bs256_symmim-2view_224.py',
    '../_base_/schedules/adamw_pretrain.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)
# MAE's preprocessing; the masks are also stacked once per batch for SymMIM.
data_preprocessor = dict(type='SymMIMDataPreprocessor')

# AdamW (_base_/schedules), lr 1.5e-4 x total batch / 256.
# Mixed precision: fp16 with dynamic loss scaling. bf16 (A100, H100): `--amp bf16`, or
# `--cfg-options optim_wrapper.dtype=bfloat16`. On CPUs: `optim_wrapper.type=OptimWrapper`.
optim_wrapper = dict(type='AmpOptimWrapper', optimizer=dict(lr=1.5e-4 * 2048 / 256))

max_epochs = 800
warmup_epochs = 40
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min=1e-6,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=100),
    # written atomically, loadable with weights_only=True (resume needs no trust)
    checkpoint=dict(type='SafeCheckpointHook', interval=1, max_keep_ckpts=3))

# BatchNorm of the projector/predictor is synchronised across GPUs (as in MoCo v3).
sync_bn = 'torch'
randomness = dict(seed=0, diff_rank_seed=True)
resume = True
# Random states in checkpoints (`--resume` repeats the uninterrupted run exactly), a stop
# with a message at the first NaN/inf loss (before it can reach a checkpoint), and a count
# of the bad image files skipped per epoch (when the loader's `skip_bad=True`).
custom_hooks = [
    dict(type='RandomStateHook'),
    dict(type='StopOnNonFiniteLossHook'),
    dict(type='SkippedImagesHook')
]
auto_scale_lr = dict(base_batch_size=2048)
