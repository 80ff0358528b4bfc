"""The Mask R-CNN config, tiny, end to end: SymMIM checkpoint -> fine-tune through the
benchmark script (torchrun, 1 process) -> COCO bbox / segm evaluation."""
import re

import torch

from tests.test_downstream.conftest import ARCH, DET_CONFIG, PATCH, run_tool

# The shipped config with a tiny ViT, 128-px images and narrow heads.
TINY = """
_base_ = [{config!r}]
image_size = (128, 128)
classes = ('rectangle', 'ellipse', 'triangle')
model = dict(
    data_preprocessor=dict(
        batch_augments=[dict(type='BatchFixedSizePad', size=image_size, pad_mask=True)]),
    backbone=dict(arch=dict(_delete_=True, **{arch!r}), img_size=image_size,
                  patch_size={patch}, window_size=3, global_indices=(1, 3)),
    neck=dict(backbone_channel=32, in_channels=[8, 16, 32, 32], out_channels=32),
    rpn_head=dict(in_channels=32, feat_channels=32),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=32),
        bbox_head=dict(in_channels=32, conv_out_channels=32, fc_out_channels=64,
                       num_classes=3),
        mask_roi_extractor=dict(out_channels=32),
        mask_head=dict(in_channels=32, conv_out_channels=32, num_classes=3)),
    train_cfg=dict(rpn_proposal=dict(nms_pre=200, max_per_img=100),
                   rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=200, max_per_img=100),
                  rcnn=dict(score_thr=0.0, max_per_img=20)))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomResize', scale=image_size, ratio_range=(0.8, 1.2), keep_ratio=True),
    dict(type='RandomCrop', crop_type='absolute_range', crop_size=image_size,
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
    dict(type='Pad', size=image_size, pad_val=dict(img=(114, 114, 114))),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='Pad', size=image_size, pad_val=dict(img=(114, 114, 114))),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset=dict(metainfo=dict(classes=classes), pipeline=train_pipeline))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(metainfo=dict(classes=classes), pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(type='OptimWrapper')  # AMP needs a GPU
"""


def data_options(root, iters=4):
    return ['--cfg-options', f'train_dataloader.dataset.data_root={root}/',
            f'val_dataloader.dataset.data_root={root}/',
            f'test_dataloader.dataset.data_root={root}/',
            f'val_evaluator.ann_file={root}/annotations/instances_val2017.json',
            f'test_evaluator.ann_file={root}/annotations/instances_val2017.json',
            f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            f'default_hooks.checkpoint.interval={iters}', 'default_hooks.logger.interval=1']


def test_finetune_and_evaluate_mask_rcnn(tmp_path, tiny_coco, symmim_checkpoint):
    config = tmp_path / 'tiny_mask_rcnn.py'
    config.write_text(TINY.format(config=str(DET_CONFIG), arch=ARCH, patch=PATCH))
    work_dir = tmp_path / 'work'
    log = run_tool(['tools/benchmarks/mmdetection/mim_dist_train.sh', config,
                    symmim_checkpoint, 1, '--work-dir', work_dir, *data_options(tiny_coco)])
    assert f'Loaded 52 tensors of SymMIMViTDet from {symmim_checkpoint}' in log
    assert 'Layer-wise lr decay 0.7' in log
    losses = {key: [float(v) for v in re.findall(rf'{key}: ([-0-9.e]+)', log)]
              for key in ('loss_rpn_cls', 'loss_cls', 'loss_bbox', 'loss_mask', 'loss')}
    assert all(len(v) == 4 for v in losses.values()), losses
    assert all(torch.isfinite(torch.tensor(v)).all() for v in losses.values()), losses
    for metric in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP'):
        assert re.search(rf'{metric}: [0-9.]+', log), metric

    ckpt = work_dir / 'iter_4.pth'
    state = torch.load(ckpt, weights_only=True)['state_dict']
    assert 'backbone.layers.0.attn.qkv.weight' in state and 'neck.up2.weight' in state
    log = run_tool(['tools/test.py', config, ckpt, '--work-dir', tmp_path / 'test',
                    *data_options(tiny_coco)])
    assert re.search(r'coco/segm_mAP: [0-9.]+', log)
