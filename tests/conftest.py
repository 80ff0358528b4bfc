"""What the tests share: registry scope, a MessageHub, the one tiny SymMIM checkpoint and
the one way to run the repository's tools."""
import itertools
import os
import runpy
import socket
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional, Sequence

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope

import symmim_mm  # noqa: F401
from symmim_mm.models.selfsup.symmim import mlp

ROOT = Path(__file__).parents[1]
_HUBS = itertools.count()
TINY_ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
# The tiny checkpoint: 4 blocks (windowed and global ones downstream, 4 maps for UperNet),
# 64-px images cut into a 4 x 4 grid of 16-px patches.
CKPT_ARCH = dict(TINY_ARCH, num_layers=4)
CKPT_BACKBONE = dict(type='SymMIMViT', arch=CKPT_ARCH, img_size=64, patch_size=16, out_type='raw')
ONLINE, TEACHER = 'backbone.', 'momentum_encoder.module.0.'


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    init_default_scope('mmpretrain')


@pytest.fixture
def message_hub():
    """A MessageHub that tells CosineEMA the length of training."""
    # a new instance becomes the current one, whatever other tests created
    hub = MessageHub.get_instance(f'symmim_test_{next(_HUBS)}')
    hub.update_info('max_iters', 10)
    return hub


def save_symmim_checkpoint(model_cfg: dict, path: Path) -> Path:
    """Build a SymMIM (seed 0), shift its momentum encoder so that it differs from the
    online one (as after EMA steps), and save it as the Runner does (``state_dict`` and
    ``meta``)."""
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.init_weights()
    state = model.state_dict()
    for key, value in state.items():
        if key.startswith(TEACHER) and value.is_floating_point():
            state[key] = value + 1.
    torch.save({'state_dict': state, 'meta': {'epoch': 1, 'iter': 10}}, path)
    return path


def moco_heads(hidden: int, out: int) -> dict:
    """SymMIM's ``projector`` and ``contrast_head`` (MoCo v3) at small widths."""
    projector = mlp(0, hidden, out, 3)
    del projector['in_channels']  # SymMIM gives it the encoder width
    return dict(
        projector=projector,
        contrast_head=dict(
            type='MoCoV3Head',
            predictor=mlp(out, hidden, out, 2),
            temperature=0.2,
            loss=dict(type='CrossEntropyLoss', loss_weight=0.4)))


@pytest.fixture(scope='session')
def symmim_checkpoint(tmp_path_factory) -> Path:
    """The tiny SymMIM checkpoint (``CKPT_BACKBONE`` encoders; teacher = online + 1)."""
    return save_symmim_checkpoint(
        dict(
            type='SymMIM',
            backbone=CKPT_BACKBONE,
            **moco_heads(hidden=32, out=16),
            data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0.5] * 3, std=[0.5] * 3)),
        tmp_path_factory.mktemp('pretrain') / 'symmim_tiny.pth')


def tool_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """One thread, unbuffered output, this checkout importable (test hooks included) and
    the interpreter's scripts (torchrun) on PATH."""
    env = dict(
        os.environ,
        PYTHONUNBUFFERED='1',
        OMP_NUM_THREADS='1',
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]),
        PATH=f'{Path(sys.executable).parent}{os.pathsep}{os.environ.get("PATH", "")}')
    env.update(extra or {})
    return env


def tool_cmd(args: Sequence) -> list:
    """``python SCRIPT ...`` for a ``.py``, ``bash SCRIPT ...`` for a ``.sh``, else
    ``args`` as they are."""
    args = [str(a) for a in args]
    if args[0].endswith('.py'):
        return [sys.executable, *args]
    return ['bash', *args] if args[0].endswith('.sh') else args


def run_tool(args: Sequence,
             check: bool = True,
             timeout: int = 600,
             env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """Run a tool of the repository in a subprocess, from the repository root.

    Args:
        args (Sequence): The script (``.py`` / ``.sh``) or command, then its arguments.
        check (bool): Fail the test on a non-zero exit, showing the output's end.
            Defaults to True.
        timeout (int): Seconds. Defaults to 600.
        env (dict, optional): Extra environment variables. Defaults to None.

    Returns:
        CompletedProcess: With ``stdout``, ``stderr`` and ``output`` (both).
    """
    proc = subprocess.run(
        tool_cmd(args),
        cwd=ROOT,
        env=tool_env(env),
        capture_output=True,
        text=True,
        timeout=timeout)
    proc.output = proc.stdout + proc.stderr
    if check:
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return proc


def free_port() -> int:
    """A free TCP port for a torchrun rendezvous."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_script(monkeypatch, script: str, *args) -> None:
    """Run a tool script in this process, as ``python SCRIPT ARGS`` would."""
    monkeypatch.setattr(sys, 'argv', [script, *map(str, args)])
    runpy.run_path(str(ROOT / script), run_name='__main__')
