"""The Mask R-CNN config, tiny, end to end: SymMIM checkpoint -> fine-tune through the
benchmark script (torchrun, 1 process) -> COCO bbox / segm evaluation."""
import re

import pytest
import torch
from mmengine.config import Config

from tests.conftest import CKPT_ARCH, free_port, run_tool
from tests.test_downstream.conftest import DET_CONFIG, tiny_config

SIZE = (128, 128)  # the shipped 1024 x 1024, divided by 8
# The shipped config with a tiny ViT and narrow heads; its pipelines, shrunk, as they are.
TINY = {
    'model.data_preprocessor.batch_augments':
    [dict(type='BatchFixedSizePad', size=SIZE, pad_mask=True)],
    'model.backbone.arch':
    dict(_delete_=True, **CKPT_ARCH),
    'model.backbone.img_size':
    SIZE,
    'model.backbone.window_size':
    3,
    'model.backbone.global_indices': (1, 3),
    'model.neck.backbone_channel':
    32,
    'model.neck.in_channels': [8, 16, 32, 32],
    'model.neck.out_channels':
    32,
    'model.rpn_head.in_channels':
    32,
    'model.rpn_head.feat_channels':
    32,
    'model.roi_head.bbox_roi_extractor.out_channels':
    32,
    'model.roi_head.bbox_head':
    dict(in_channels=32, conv_out_channels=32, fc_out_channels=64, num_classes=3),
    'model.roi_head.mask_roi_extractor.out_channels':
    32,
    'model.roi_head.mask_head':
    dict(in_channels=32, conv_out_channels=32, num_classes=3),
    'model.train_cfg.rpn_proposal':
    dict(nms_pre=200, max_per_img=100),
    'model.train_cfg.rcnn.sampler.num':
    64,
    'model.test_cfg.rpn':
    dict(nms_pre=200, max_per_img=100),
    'model.test_cfg.rcnn':
    dict(score_thr=0.0, max_per_img=20),
    'train_dataloader.batch_size':
    2,
}
CLASSES = ('rectangle', 'ellipse', 'triangle')


def data_options(root, iters=4):
    return [
        '--cfg-options', f'train_dataloader.dataset.data_root={root}/',
        f'val_dataloader.dataset.data_root={root}/', f'test_dataloader.dataset.data_root={root}/',
        f'val_evaluator.ann_file={root}/annotations/instances_val2017.json',
        f'test_evaluator.ann_file={root}/annotations/instances_val2017.json',
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'default_hooks.checkpoint.interval={iters}', 'default_hooks.logger.interval=1'
    ]


def test_the_tiny_config_keeps_the_shipped_pipelines(tmp_path):
    config = tiny_config(tmp_path / 'tiny.py', DET_CONFIG, TINY)
    tiny, shipped = Config.fromfile(str(config)), Config.fromfile(str(DET_CONFIG))
    for loader in ('train_dataloader', 'test_dataloader'):
        ours, theirs = tiny[loader].dataset.pipeline, shipped[loader].dataset.pipeline
        assert [t.type for t in ours] == [t.type for t in theirs]
        for a, b in zip(ours, theirs):
            for key in set(a) | set(b):
                if key in ('scale', 'crop_size', 'size'):
                    assert tuple(a[key]) == tuple(s // 8 for s in b[key])
                else:
                    assert a[key] == b[key], (loader, a.type, key)


@pytest.mark.slow
def test_finetune_and_evaluate_mask_rcnn(tmp_path, tiny_coco, symmim_checkpoint):
    options = dict(
        TINY, **{
            f'{loader}_dataloader.dataset.metainfo': dict(classes=CLASSES)
            for loader in ('train', 'val', 'test')
        })
    config = tiny_config(tmp_path / 'tiny_mask_rcnn.py', DET_CONFIG, options)
    work_dir = tmp_path / 'work'
    log = run_tool([
        'tools/benchmarks/mmdetection/mim_dist_train.sh', config, symmim_checkpoint, 1,
        '--work-dir', work_dir, *data_options(tiny_coco)
    ],
                   env=dict(PORT=str(free_port()))).output
    assert f'Loaded 52 tensors of SymMIMViTDet from {symmim_checkpoint}' in log
    assert 'Layer-wise lr decay 0.7' in log
    losses = {
        key: [float(v) for v in re.findall(rf'{key}: ([-0-9.e]+)', log)]
        for key in ('loss_rpn_cls', 'loss_cls', 'loss_bbox', 'loss_mask', 'loss')
    }
    assert all(len(v) == 4 for v in losses.values()), losses
    assert all(torch.isfinite(torch.tensor(v)).all() for v in losses.values()), losses
    for metric in ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP'):
        assert re.search(rf'{metric}: [0-9.]+', log), metric

    ckpt = work_dir / 'iter_4.pth'
    assert torch.serialization.get_unsafe_globals_in_checkpoint(ckpt) == []
    state = torch.load(ckpt, weights_only=True)['state_dict']
    assert 'backbone.layers.0.attn.qkv.weight' in state and 'neck.up2.weight' in state
    log = run_tool(
        ['tools/test.py', config, ckpt, '--work-dir', tmp_path / 'test',
         *data_options(tiny_coco)]).output
    assert re.search(r'coco/segm_mAP: [0-9.]+', log)
