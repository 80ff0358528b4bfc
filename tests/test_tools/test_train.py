"""The quickstart config through tools/train.py: train, checkpoint, resume, 2 processes."""
import re

import pytest
import torch

from tests.conftest import run_tool
from tests.test_robustness.runs import CONFIG, train_cmd

# Short runs: 2 epochs of 23 iterations, small model, no dataloader workers.
SHORT = [
    'train_dataloader.num_workers=0', 'default_hooks.checkpoint.interval=1',
    'default_hooks.logger.interval=5'
]


def losses(log, key):
    return [float(v) for v in re.findall(rf'{key}: ([0-9.]+)', log)]


@pytest.mark.slow
def test_train_checkpoint_and_resume(tmp_path):
    log = run_tool(
        train_cmd(CONFIG, tmp_path, ['--cfg-options', 'train_cfg.max_epochs=1', *SHORT]),
        env=dict(OMP_NUM_THREADS='2')).output
    assert losses(log, 'loss_rec') and losses(log, 'loss_con')
    ckpt = tmp_path / 'epoch_1.pth'
    assert ckpt.exists()
    state = torch.load(ckpt, weights_only=True)  # our own checkpoints are tensors + plain types
    assert 'momentum_encoder.module.0.mask_token' in state['state_dict']
    assert state['meta']['epoch'] == 1

    log = run_tool(
        train_cmd(CONFIG, tmp_path,
                  ['--resume', '--cfg-options', 'train_cfg.max_epochs=2', *SHORT]),
        env=dict(OMP_NUM_THREADS='2')).output
    assert 'resumed epoch: 1' in log
    assert 'Epoch(train) [1]' not in log and 'Epoch(train) [2]' in log
    resumed = torch.load(tmp_path / 'epoch_2.pth', weights_only=True)
    assert resumed['meta']['iter'] == 2 * state['meta']['iter']
    # the EMA kept counting from the checkpoint rather than re-copying the online weights
    assert resumed['state_dict']['momentum_encoder.steps'] == 2 * state['meta']['iter']


@pytest.mark.slow
def test_two_process_gloo(tmp_path):
    log = run_tool(
        train_cmd(CONFIG, tmp_path, ['--cfg-options', 'train_cfg.max_epochs=1', *SHORT],
                  nproc=2)).output
    assert 'Distributed training: True' in log
    assert '[1][10/12]' in log  # 12 steps of 2 x 64 images per epoch
    ckpt = torch.load(tmp_path / 'epoch_1.pth', weights_only=True)
    assert ckpt['meta']['iter'] == 12  # 1438 images / (2 x 64) per step, rounded up
