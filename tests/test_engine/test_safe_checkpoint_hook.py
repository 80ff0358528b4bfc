"""SafeCheckpointHook: checkpoints written atomically, loadable with weights_only=True, and
resumed with their log history."""
import itertools

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.model import BaseModel
from mmengine.runner import Runner

from symmim_mm.engine.hooks.message_hub_state import (plain_message_hub_state,
                                                      restore_message_hub_state)
from symmim_mm.utils import AtomicLocalBackend, UnsafeCheckpointError, check_checkpoint

_RUNS = itertools.count()


class ToyModel(BaseModel):

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(inputs)
        return dict(loss=out.pow(2).mean()) if mode == 'loss' else out


def train(work_dir, hook, epochs, **kwargs):
    """Train a linear layer on 4 samples (2 iterations an epoch) with ``hook`` saving."""
    torch.manual_seed(0)
    runner = Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        experiment_name=f'toy_{next(_RUNS)}',
        train_dataloader=dict(
            dataset=[dict(inputs=torch.randn(2)) for _ in range(4)],
            batch_size=2,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=True, max_epochs=epochs),
        default_scope='mmengine',
        default_hooks=dict(checkpoint=dict(type=hook, interval=1)),
        **kwargs)
    runner.train()
    return runner


def test_checkpoints_load_with_weights_only_and_resume_their_history(tmp_path):
    first = train(tmp_path, 'SafeCheckpointHook', epochs=1)
    hook = next(h for h in first.hooks if type(h).__name__ == 'SafeCheckpointHook')
    assert isinstance(hook.file_backend, AtomicLocalBackend)
    ckpt = tmp_path / 'epoch_1.pth'
    assert check_checkpoint(str(ckpt)) == []  # nothing beyond torch's allowlist
    saved = torch.load(ckpt, weights_only=True)['message_hub']['log_scalars']['train/loss']
    assert len(saved['log_history']) == 2

    resumed = train(tmp_path, 'SafeCheckpointHook', epochs=2, resume=True, load_from=str(ckpt))
    history = resumed.message_hub.log_scalars['train/loss']
    assert isinstance(history, HistoryBuffer) and len(history.data[0]) == 4
    np.testing.assert_allclose(history.data[0][:2], saved['log_history'])


def test_mmengines_own_checkpoints_need_trust(tmp_path):
    """Why the hook exists: MMEngine's log history pickles builtins.getattr."""
    train(tmp_path, 'CheckpointHook', epochs=1)
    with pytest.raises(UnsafeCheckpointError, match=r'builtins\.getattr.*HistoryBuffer'):
        check_checkpoint(str(tmp_path / 'epoch_1.pth'))


def test_message_hub_state_round_trip():
    hub = MessageHub.get_instance('safe_checkpoint_hook_test')
    for v in (3.0, 2.0, 1.0):
        hub.update_scalar('train/loss', v)
    hub.update_info('iter', np.int64(7))
    hub.update_info('best', {'score': np.float32(0.5), 'at': [np.int64(1)]})
    plain = plain_message_hub_state(hub.state_dict())
    assert plain['runtime_info']['iter'] == 7 and type(plain['runtime_info']['iter']) is int
    assert plain['runtime_info']['best'] == {'score': 0.5, 'at': [1]}

    new = MessageHub.get_instance('safe_checkpoint_hook_test_2')
    new.load_state_dict(restore_message_hub_state(plain))
    buffer = new.log_scalars['train/loss']
    assert buffer.mean() == pytest.approx(2.0) and buffer.current() == 1.0
    assert buffer.max_length == hub.log_scalars['train/loss'].max_length
