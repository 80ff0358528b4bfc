import itertools

import pytest
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope

import symmim_mm  # noqa: F401

_HUBS = itertools.count()
TINY_ARCH = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)


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
