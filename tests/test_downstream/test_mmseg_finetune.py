"""The UperNet config, tiny, end to end: converted SymMIM weights -> fine-tune with
tools/train.py -> mIoU through the benchmark test script (torchrun, 1 process)."""
import re

import pytest
import torch

from symmim_mm.utils import convert_checkpoint
from tests.conftest import CKPT_ARCH, free_port, run_tool
from tests.test_downstream.conftest import SEG_CONFIG, tiny_config

SIZE = (64, 64)  # the shipped 512 x 512 crops, divided by 8
NORM = dict(type='BN', requires_grad=True)  # DDP takes SyncBN on GPUs only
# The shipped config with a tiny ViT and narrow heads; its pipelines, shrunk, as they are.
TINY = {
    'model.data_preprocessor.size':
    SIZE,
    'model.backbone.arch':
    dict(_delete_=True, **CKPT_ARCH),
    'model.backbone.img_size':
    SIZE,
    'model.backbone.out_indices': (0, 1, 2, 3),
    'model.neck.embed_dim':
    32,
    'model.neck.norm_cfg':
    NORM,
    'model.decode_head':
    dict(in_channels=[32, 32, 32, 32], channels=16, pool_scales=(1, 2), norm_cfg=NORM),
    'model.auxiliary_head':
    dict(in_channels=32, channels=16, norm_cfg=NORM),
    'model.test_cfg':
    dict(mode='slide', crop_size=SIZE, stride=(48, 48)),
}


def data_options(root, iters=4):
    return [
        '--cfg-options', f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}', f'test_dataloader.dataset.data_root={root}',
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'default_hooks.checkpoint.interval={iters}', 'default_hooks.logger.interval=1'
    ]


@pytest.mark.slow
def test_finetune_and_evaluate_upernet(tmp_path, tiny_ade, symmim_checkpoint):
    config = tiny_config(tmp_path / 'tiny_upernet.py', SEG_CONFIG, TINY)
    pretrain = tmp_path / 'teacher_mmseg.safetensors'
    convert_checkpoint(str(symmim_checkpoint), str(pretrain), 'mmseg', teacher=True)
    work_dir = tmp_path / 'work'
    log = run_tool([
        'tools/train.py', config, '--work-dir', work_dir, *data_options(tiny_ade),
        f'model.backbone.init_cfg.checkpoint={pretrain}', 'model.backbone.init_cfg.prefix=None'
    ]).output
    assert f'Loaded 52 tensors of SymMIMViTSeg from {pretrain}' in log
    assert 'Layer-wise lr decay 0.65' in log
    for key in ('decode.loss_ce', 'aux.loss_ce'):
        values = [float(v) for v in re.findall(rf'{re.escape(key)}: ([-0-9.e]+)', log)]
        assert len(values) == 4 and torch.isfinite(torch.tensor(values)).all(), (key, values)
    assert re.search(r'mIoU: [0-9.]+', log) and re.search(r'aAcc: [0-9.]+', log)

    ckpt = work_dir / 'iter_4.pth'
    assert torch.serialization.get_unsafe_globals_in_checkpoint(ckpt) == []
    log = run_tool([
        'tools/benchmarks/mmsegmentation/mim_dist_test.sh', config, ckpt, 1, '--work-dir',
        tmp_path / 'test', *data_options(tiny_ade)
    ],
                   env=dict(PORT=str(free_port()))).output
    assert re.search(r'mIoU: [0-9.]+', log)
