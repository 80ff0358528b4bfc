# Mask R-CNN on COCO with a SymMIM ViT-B/16, ViTDet recipe: windowed attention (14 x 14)
# with global blocks 2, 5, 8, 11, a simple feature pyramid from the last map, 1024-px
# large-scale jitter, AdamW lr 1e-4, weight decay 0.1, layer-wise lr decay 0.7,
# 100 epochs = 184,375 iterations of 64 images (16 GPUs x 4), mixed precision.
#   GPUS=16 bash tools/benchmarks/mmdetection/mim_slurm_train.sh PARTITION \
#       configs/mmdet/mask-rcnn_symmim-vit-base-p16_lsj-100e_coco.py PRETRAIN.pth
#   # one node of 8 GPUs: 8 images each
#   bash tools/benchmarks/mmdetection/mim_dist_train.sh \
#       configs/mmdet/mask-rcnn_symmim-vit-base-p16_lsj-100e_coco.py PRETRAIN.pth 8 \
#       --cfg-options train_dataloader.batch_size=8
# PRETRAIN: a SymMIM checkpoint (online encoder under `backbone.`; for the momentum
# encoder add `--cfg-options model.backbone.init_cfg.prefix=momentum_encoder.module.0.`).
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    'mmdet::common/lsj-100e_coco-instance.py',
]
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

image_size = (1024, 1024)
norm_cfg = dict(type='mmpretrain.LN2d', eps=1e-6, requires_grad=True)  # channels-first LN
model = dict(
    data_preprocessor=dict(
        pad_size_divisor=32,
        batch_augments=[dict(type='BatchFixedSizePad', size=image_size, pad_mask=True)]),
    backbone=dict(
        _delete_=True,
        type='SymMIMViTDet',
        arch='base',
        img_size=image_size,
        patch_size=16,
        window_size=14,
        global_indices=(2, 5, 8, 11),
        use_rel_pos=False,  # SymMIM has no relative position tables to load
        drop_path_rate=0.1,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(
        _delete_=True,
        type='ViTDetSimpleFPN',
        backbone_channel=768,
        in_channels=[192, 384, 768, 768],
        out_channels=256,
        num_outs=5,
        norm_cfg=norm_cfg),
    rpn_head=dict(num_convs=2),
    roi_head=dict(
        bbox_head=dict(type='Shared4Conv1FCBBoxHead', conv_out_channels=256, norm_cfg=norm_cfg),
        mask_head=dict(norm_cfg=norm_cfg)))

# Large-scale jitter: resize by 0.1-2.0, crop (and pad) to 1024 x 1024.
data_root = 'data/coco/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomResize', scale=image_size, ratio_range=(0.1, 2.0), keep_ratio=True),
    dict(
        type='RandomCrop',
        crop_type='absolute_range',
        crop_size=image_size,
        recompute_bbox=True,
        allow_negative_crop=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
    dict(type='Pad', size=image_size, pad_val=dict(img=(114, 114, 114))),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='Pad', size=image_size, pad_val=dict(img=(114, 114, 114))),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        _delete_=True,
        type='CocoDataset',
        data_root=data_root,
        ann_file='annotations/instances_train2017.json',
        data_prefix=dict(img='train2017/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline))
val_dataloader = dict(
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator

optim_wrapper = dict(
    _delete_=True,
    type='AmpOptimWrapper',
    constructor='LayerDecayOptimWrapperConstructor',
    # no weight decay on norms, biases (every 1-D parameter) and the position embedding
    paramwise_cfg=dict(
        layer_decay_rate=0.7, flat_decay_mult=0., custom_keys={'pos_embed': dict(decay_mult=0.)}),
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.1))

# 100 epochs: 184,375 iterations x 64 images / 118k images.
max_iters = 184375
interval = 5000
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=250),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iters,
        by_epoch=False,
        milestones=[163889, 177546],
        gamma=0.1),
]
train_cfg = dict(
    _delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
    val_interval=interval)  # and after the last iteration
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    # written atomically, loadable with weights_only=True (resume needs no trust)
    checkpoint=dict(
        type='SafeCheckpointHook',
        by_epoch=False,
        save_last=True,
        interval=interval,
        max_keep_ckpts=5))
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
auto_scale_lr = dict(base_batch_size=64)
