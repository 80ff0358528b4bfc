import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub


class Payload:
    """Unpickling this runs code: what a hostile checkpoint would carry."""

    def __reduce__(self):
        return (os.system, ('echo pwned',))


def test_message_hub_state_is_plain_and_round_trips(tmp_path):
    hub = MessageHub.get_instance('compat_test')
    for v in (3.0, 2.0, 1.0):
        hub.update_scalar('train/loss', v)
    hub.update_info('iter', np.int64(7), resumed=True)
    hub.update_info('max_iters', 100)
    path = tmp_path / 'hub.pth'
    torch.save({'message_hub': hub.state_dict(), 'w': torch.ones(2)}, path)

    loaded = torch.load(path, weights_only=True)  # no pickled objects inside
    new = MessageHub.get_instance('compat_test_2')
    new.load_state_dict(loaded['message_hub'])
    buffer = new.log_scalars['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(2.0) and buffer.current() == 1.0
    assert new.get_info('iter') == 7


def test_foreign_pickles_are_still_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {'w': torch.ones(1)}, 'x': Payload()}, path)
    with pytest.raises(pickle.UnpicklingError, match='weights_only'):
        torch.load(path)  # the default stays safe
    from mmengine.runner import load_checkpoint
    with pytest.raises(pickle.UnpicklingError):
        load_checkpoint(torch.nn.Linear(1, 1), str(path))
