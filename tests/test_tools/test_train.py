"""The quickstart config through tools/train.py: train, checkpoint, resume, 2 processes."""
import os
import re
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).parents[2]
CONFIG = 'configs/symmim/symmim_vit-tiny-p4_digits-32px.py'
# Short runs: 2 epochs of 23 iterations, small model, no dataloader workers.
SHORT = ['train_dataloader.num_workers=0', 'default_hooks.checkpoint.interval=1',
         'default_hooks.logger.interval=5']


def run(args, work_dir, nproc=1, timeout=600):
    env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1' if nproc > 1 else '2')
    if nproc > 1:
        cmd = [sys.executable, '-m', 'torch.distributed.run', f'--nproc_per_node={nproc}',
               '--master_port=29617', 'tools/train.py', CONFIG, '--launcher', 'pytorch']
    else:
        cmd = [sys.executable, 'tools/train.py', CONFIG]
    cmd += ['--work-dir', str(work_dir), *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def losses(log, key):
    return [float(v) for v in re.findall(rf'{key}: ([0-9.]+)', log)]


def test_train_checkpoint_and_resume(tmp_path):
    log = run(['--cfg-options', 'train_cfg.max_epochs=1', *SHORT], tmp_path)
    assert losses(log, 'loss_rec') and losses(log, 'loss_con')
    ckpt = tmp_path / 'epoch_1.pth'
    assert ckpt.exists()
    state = torch.load(ckpt, weights_only=True)  # our own checkpoints are tensors + plain types
    assert 'momentum_encoder.module.0.mask_token' in state['state_dict']
    assert state['meta']['epoch'] == 1

    log = run(['--resume', '--cfg-options', 'train_cfg.max_epochs=2', *SHORT], tmp_path)
    assert 'resumed epoch: 1' in log
    assert 'Epoch(train) [1]' not in log and 'Epoch(train) [2]' in log
    resumed = torch.load(tmp_path / 'epoch_2.pth', weights_only=True)
    assert resumed['meta']['iter'] == 2 * state['meta']['iter']
    # the EMA kept counting from the checkpoint rather than re-copying the online weights
    assert resumed['state_dict']['momentum_encoder.steps'] == 2 * state['meta']['iter']


def test_two_process_gloo(tmp_path):
    log = run(['--cfg-options', 'train_cfg.max_epochs=1', *SHORT], tmp_path, nproc=2)
    assert 'Distributed training: True' in log
    assert '[1][10/12]' in log  # 12 steps of 2 x 64 images per epoch
    ckpt = torch.load(tmp_path / 'epoch_1.pth', weights_only=True)
    assert ckpt['meta']['iter'] == 12  # 1437 images / (2 x 64) per step, rounded up
