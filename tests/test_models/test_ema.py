import pytest
import torch
import torch.nn as nn
from mmpretrain.models import CosineEMA

from symmim_mm.models import FusedCosineEMA


def test_fused_ema_matches_mmpretrain_cosine_ema(message_hub):
    torch.manual_seed(0)
    source = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))
    ours = FusedCosineEMA(source, momentum=0.05)
    reference = CosineEMA(source, momentum=0.05)
    for _ in range(5):
        with torch.no_grad():
            for p in source.parameters():
                p.add_(torch.randn_like(p))
        source(torch.randn(6, 4))  # moves the BN buffers
        ours.update_parameters(source)
        reference.update_parameters(source)
    for (name, a), (_, b) in zip(ours.state_dict().items(), reference.state_dict().items()):
        torch.testing.assert_close(a, b, msg=name)
    assert int(ours.steps) == 5
    assert not torch.allclose(ours.module[0].weight, source[0].weight)


def test_fused_ema_needs_max_iters():
    from mmengine.logging import MessageHub
    MessageHub.get_instance('no_max_iters')
    ema = FusedCosineEMA(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match='max_iters'):  # read at the first update
        ema.update_parameters(nn.Linear(2, 2))
