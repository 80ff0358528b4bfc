import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS

from symmim_mm.testing import make_tiny_ade20k, make_tiny_coco

ROOT = Path(__file__).parents[2]
DET_CONFIG = ROOT / 'configs/mmdet/mask-rcnn_symmim-vit-base-p16_lsj-100e_coco.py'
SEG_CONFIG = ROOT / 'configs/mmseg/upernet_symmim-vit-base-p16_8xb2-amp-160k_ade20k-512x512.py'
# Tiny ViT shared by the SymMIM checkpoint and the downstream backbones.
ARCH = dict(embed_dims=32, num_layers=4, num_heads=2, feedforward_channels=64)
PRETRAIN_SIZE, PATCH = 64, 16  # 4 x 4 patch grid at pretraining


@pytest.fixture
def mmdet_scope():
    init_default_scope('mmdet')


@pytest.fixture
def mmseg_scope():
    init_default_scope('mmseg')


@pytest.fixture(scope='session')
def tiny_coco(tmp_path_factory):
    root = tmp_path_factory.mktemp('coco')
    make_tiny_coco(str(root), num_train=4, num_val=2, img_size=128)
    return root


@pytest.fixture(scope='session')
def tiny_ade(tmp_path_factory):
    root = tmp_path_factory.mktemp('ade')
    make_tiny_ade20k(str(root), num_train=4, num_val=2, img_size=64)
    return root


@pytest.fixture(scope='session')
def symmim_checkpoint(tmp_path_factory):
    """A Runner-style SymMIM checkpoint of the tiny arch whose momentum encoder
    differs from the online one (as after some EMA steps)."""
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MMPRETRAIN_MODELS.build(dict(
        type='SymMIM',
        backbone=dict(type='SymMIMViT', arch=ARCH, img_size=PRETRAIN_SIZE, patch_size=PATCH,
                      out_type='raw'),
        proj_hidden=32, proj_out=16,
        data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0.5] * 3,
                               std=[0.5] * 3)))
    model.init_weights()
    state = model.state_dict()
    for key in state:
        if key.startswith('momentum_encoder.module.0.') and state[key].is_floating_point():
            state[key] = state[key] + 1.  # the teacher is recognisable
    path = tmp_path_factory.mktemp('pretrain') / 'symmim_tiny.pth'
    torch.save({'state_dict': state, 'meta': {'epoch': 1, 'iter': 10}}, path)
    return path


def run_tool(args, cwd=ROOT, timeout=600):
    """Run a command of the repository (python scripts or bash benchmark scripts)."""
    env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1',
               PATH=f'{Path(sys.executable).parent}{os.pathsep}{os.environ.get("PATH", "")}',
               PORT='29631')
    cmd = [sys.executable, *args] if str(args[0]).endswith('.py') else ['bash', *args]
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return proc.stdout + proc.stderr
