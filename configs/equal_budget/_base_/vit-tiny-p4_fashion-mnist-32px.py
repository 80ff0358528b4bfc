# What every method of the equal-budget benchmark shares on Fashion-MNIST (50,000 train /
# 10,000 val images carved from the training set; the 10,000 test images are for final
# results only): the encoder size, the data pipeline up to the mask transform, the
# optimizer with the no-decay groups of the shipped configs, the schedule and the runtime.
# A method's config adds its model, its mask transform and PackInputs.
_base_ = ['mmpretrain::_base_/default_runtime.py', '../../_base_/schedules/adamw_pretrain.py']
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

# ViT of the quickstart: 96 wide, 6 layers, 4-px patches on 32-px images (8 x 8 grid).
encoder = dict(
    arch=dict(embed_dims=96, num_layers=6, num_heads=3, feedforward_channels=384),
    img_size=32,
    patch_size=4)

# Fashion-MNIST pixel statistics (gray, repeated over 3 channels).
data_preprocessor = dict(
    type='SelfSupDataPreprocessor', mean=[72.9] * 3, std=[90.0] * 3, to_rgb=False)
augmentation = [
    dict(
        type='RandomResizedCrop', scale=32, crop_ratio_range=(0.67, 1.0), interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
]
train_dataloader = dict(
    batch_size=128,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='FashionMNISTSplit', data_root='data/fashion_mnist', split='train'))

optim_wrapper = dict(optimizer=dict(lr=1e-3))  # a tiny ViT and batch 128 take a larger lr

# Iteration-based, so that a budget of seconds can be laid out as steps: 10 % linear
# warm-up, then cosine; 4 epochs of the 50,000 images when trained on its own.
# `tools/benchmarks/equal_budget.py` rescales all of it to the number of steps each
# budget gives (its default: two epochs, 782 steps, for SymMIM).
max_iters = 1564
warmup_iters = 156
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=warmup_iters),
    dict(
        type='CosineAnnealingLR',
        T_max=max_iters - warmup_iters,
        eta_min=1e-5,
        by_epoch=False,
        begin=warmup_iters,
        end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='SafeCheckpointHook', by_epoch=False, interval=-1, save_last=True))
log_processor = dict(by_epoch=False)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, diff_rank_seed=True)
custom_hooks = [dict(type='StopOnNonFiniteLossHook')]
