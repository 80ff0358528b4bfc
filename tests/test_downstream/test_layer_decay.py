"""LayerDecayOptimWrapperConstructor: lr per layer, no decay on norms/biases/tokens."""
import re

import pytest
import torch.nn as nn
from mmdet.registry import MODELS as DET_MODELS
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS as SEG_MODELS

from symmim_mm.engine import LayerDecayOptimWrapperConstructor
from tests.test_downstream.conftest import ARCH

LR, WD, DECAY, NUM_LAYERS = 1e-3, 0.05, 0.7, ARCH['num_layers']


class Toy(nn.Module):
    """A backbone plus a head (a conv with norm and bias), like a detector."""

    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone
        self.head = nn.Sequential(nn.Conv2d(32, 8, 3), nn.BatchNorm2d(8))


def expected_depth(name):
    """Depth by hand: stem 0, block i -> i + 1, everything else num_layers + 1."""
    match = re.match(r'backbone\.layers\.(\d+)\.', name)
    if match:
        return int(match.group(1)) + 1
    if re.match(r'backbone\.(patch_embed|pos_embed|cls_token)', name):
        return 0
    return NUM_LAYERS + 1


def build(scope, model):
    init_default_scope(scope)
    cfg = dict(optimizer=dict(type='AdamW', lr=LR, weight_decay=WD),
               constructor='LayerDecayOptimWrapperConstructor',
               paramwise_cfg=dict(layer_decay_rate=DECAY))
    return build_optim_wrapper(model, cfg)


def det_model():
    init_default_scope('mmdet')
    return Toy(DET_MODELS.build(dict(type='SymMIMViTDet', arch=ARCH, img_size=64,
                                     window_size=2, global_indices=(1, 3), use_rel_pos=True)))


def seg_model():
    init_default_scope('mmseg')
    return Toy(SEG_MODELS.build(dict(type='SymMIMViTSeg', arch=ARCH, img_size=64,
                                     out_indices=(1, 3))))


@pytest.mark.parametrize('scope, make', [('mmdet', det_model), ('mmseg', seg_model),
                                         ('mmpretrain', seg_model)])
def test_lr_and_weight_decay_per_param(scope, make):
    model = make()
    optim = build(scope, model).optimizer
    seen = set()
    for group in optim.param_groups:
        for name, param in zip(group['param_names'], group['params']):
            seen.add(name)
            depth = expected_depth(name)
            assert group['lr'] == pytest.approx(LR * DECAY ** (NUM_LAYERS + 1 - depth)), name
            no_decay = (param.ndim == 1 or name.endswith(('pos_embed', 'cls_token'))
                        or '.ln' in name or name.endswith('.bias'))
            assert group['weight_decay'] == (0. if no_decay else WD), name
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert seen == trainable
    assert optim.param_groups[0]['lr'] == pytest.approx(LR)  # the logged lr is the base lr
    assert min(g['lr'] for g in optim.param_groups) == pytest.approx(LR * DECAY ** 5)


def test_frozen_cls_token_is_left_out():
    optim = build('mmdet', det_model()).optimizer
    names = [n for g in optim.param_groups for n in g['param_names']]
    assert 'backbone.cls_token' not in names and 'backbone.pos_embed' in names


def test_registered_in_the_three_registries():
    from mmdet.registry import OPTIM_WRAPPER_CONSTRUCTORS as DET
    from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS as PRETRAIN
    from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS as SEG
    for registry in (DET, SEG, PRETRAIN):
        assert registry.get('LayerDecayOptimWrapperConstructor') is \
            LayerDecayOptimWrapperConstructor


def test_bad_configs():
    cfg = dict(optimizer=dict(type='AdamW', lr=LR))
    with pytest.raises(ValueError, match='layer_decay_rate'):
        LayerDecayOptimWrapperConstructor(cfg, dict())
    with pytest.raises(ValueError, match='decay_rate'):
        LayerDecayOptimWrapperConstructor(cfg, dict(decay_rate=0.7))  # ViTDet's spelling
    constructor = LayerDecayOptimWrapperConstructor(cfg, dict(layer_decay_rate=0.7))
    with pytest.raises(TypeError, match='get_layer_depth'):
        constructor(nn.Sequential(nn.Linear(2, 2)))
