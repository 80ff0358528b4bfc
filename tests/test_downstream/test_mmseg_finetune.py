"""The UperNet config, tiny, end to end: converted SymMIM weights -> fine-tune with
tools/train.py -> mIoU through the benchmark test script (torchrun, 1 process)."""
import re

import torch

from symmim_mm.downstream import convert_checkpoint
from tests.test_downstream.conftest import ARCH, PATCH, SEG_CONFIG, run_tool

# The shipped config with a tiny ViT, 64-px crops and narrow heads.
TINY = """
_base_ = [{config!r}]
crop_size = (64, 64)
norm_cfg = dict(type='BN', requires_grad=True)  # DDP takes SyncBN on GPUs only
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(arch=dict(_delete_=True, **{arch!r}), img_size=crop_size,
                  patch_size={patch}, out_indices=(0, 1, 2, 3)),
    neck=dict(embed_dim=32, norm_cfg=norm_cfg),
    decode_head=dict(in_channels=[32, 32, 32, 32], channels=16, pool_scales=(1, 2),
                     norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=32, channels=16, norm_cfg=norm_cfg),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(48, 48)))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomResize', scale=(128, 64), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 80), keep_ratio=True),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(num_workers=0, persistent_workers=False,
                        dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(type='OptimWrapper')  # AMP needs a GPU
"""


def data_options(root, iters=4):
    return ['--cfg-options', f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}',
            f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            f'default_hooks.checkpoint.interval={iters}', 'default_hooks.logger.interval=1']


def test_finetune_and_evaluate_upernet(tmp_path, tiny_ade, symmim_checkpoint):
    config = tmp_path / 'tiny_upernet.py'
    config.write_text(TINY.format(config=str(SEG_CONFIG), arch=ARCH, patch=PATCH))
    pretrain = tmp_path / 'teacher_mmseg.pth'
    convert_checkpoint(str(symmim_checkpoint), str(pretrain), teacher=True)
    work_dir = tmp_path / 'work'
    log = run_tool(['tools/train.py', config, '--work-dir', work_dir,
                    *data_options(tiny_ade), f'model.backbone.init_cfg.checkpoint={pretrain}',
                    'model.backbone.init_cfg.prefix=None'])
    assert f'Loaded 52 tensors of SymMIMViTSeg from {pretrain}' in log
    assert 'Layer-wise lr decay 0.65' in log
    for key in ('decode.loss_ce', 'aux.loss_ce'):
        values = [float(v) for v in re.findall(rf'{re.escape(key)}: ([-0-9.e]+)', log)]
        assert len(values) == 4 and torch.isfinite(torch.tensor(values)).all(), (key, values)
    assert re.search(r'mIoU: [0-9.]+', log) and re.search(r'aAcc: [0-9.]+', log)

    ckpt = work_dir / 'iter_4.pth'
    log = run_tool(['tools/benchmarks/mmsegmentation/mim_dist_test.sh', config, ckpt, 1,
                    '--work-dir', tmp_path / 'test', *data_options(tiny_ade)])
    assert re.search(r'mIoU: [0-9.]+', log)
