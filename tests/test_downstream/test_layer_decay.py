"""LayerDecayOptimWrapperConstructor: MMPretrain's layer-wise lr decay, for detectors and
segmentors too."""
import re

import pytest
import torch.nn as nn
from mmdet.registry import MODELS as DET_MODELS
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmpretrain.engine.optimizers import LearningRateDecayOptimWrapperConstructor
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmseg.registry import MODELS as SEG_MODELS

from symmim_mm.engine import LayerDecayOptimWrapperConstructor
from tests.conftest import CKPT_ARCH as ARCH

LR, WD, DECAY, NUM_LAYERS = 1e-3, 0.05, 0.7, ARCH['num_layers']
PARAMWISE = dict(
    layer_decay_rate=DECAY,
    flat_decay_mult=0.,
    custom_keys={
        'pos_embed': dict(decay_mult=0.),
        'cls_token': dict(decay_mult=0.)
    })


class Toy(nn.Module):
    """A backbone plus a head (a conv with norm and bias), like a detector: the model
    itself has no ``get_layer_depth``."""

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


def build(scope, model, constructor='LayerDecayOptimWrapperConstructor', **paramwise):
    init_default_scope(scope)
    cfg = dict(
        optimizer=dict(type='AdamW', lr=LR, weight_decay=WD),
        constructor=constructor,
        paramwise_cfg=dict(PARAMWISE, **paramwise))
    return build_optim_wrapper(model, cfg).optimizer


def det_model():
    init_default_scope('mmdet')
    return Toy(
        DET_MODELS.build(
            dict(
                type='SymMIMViTDet',
                arch=ARCH,
                img_size=64,
                window_size=2,
                global_indices=(1, 3),
                use_rel_pos=True)))


def seg_model():
    init_default_scope('mmseg')
    return Toy(
        SEG_MODELS.build(dict(type='SymMIMViTSeg', arch=ARCH, img_size=64, out_indices=(1, 3))))


@pytest.mark.parametrize('scope, make', [('mmdet', det_model), ('mmseg', seg_model),
                                         ('mmpretrain', seg_model)])
def test_lr_and_weight_decay_per_param(scope, make):
    model = make()
    optim = build(scope, model)
    for group in optim.param_groups:
        (param, ), name = group['params'], group['param_name']
        depth = expected_depth(name)
        assert group['lr'] == pytest.approx(LR * DECAY**(NUM_LAYERS + 1 - depth)), name
        no_decay = param.ndim == 1 or name.endswith(('pos_embed', 'cls_token'))
        assert group['weight_decay'] == (0. if no_decay else WD), name
    names = [g['param_name'] for g in optim.param_groups]
    assert sorted(names) == sorted(n for n, p in model.named_parameters() if p.requires_grad)
    assert optim.param_groups[0]['lr'] == pytest.approx(LR)  # the logged lr is the base lr
    assert [g['layer_id'] for g in optim.param_groups] == sorted(
        (g['layer_id'] for g in optim.param_groups), reverse=True)
    assert optim.param_groups[-1]['lr'] == pytest.approx(LR * DECAY**(NUM_LAYERS + 1))


def test_same_groups_as_mmpretrains_on_a_classifier():
    model = PRETRAIN_MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(type='VisionTransformer', arch=ARCH, img_size=32, patch_size=8),
            neck=None,
            head=dict(type='LinearClsHead', num_classes=3, in_channels=32)))
    custom = {'.cls_token': dict(decay_mult=0.), '.ln': dict(decay_mult=0.1)}
    ours, theirs = (
        build('mmpretrain', model, constructor, custom_keys=custom)
        for constructor in ('LayerDecayOptimWrapperConstructor',
                            'LearningRateDecayOptimWrapperConstructor'))

    def settings(optim):
        return {g['param_name']: (g['lr'], g['weight_decay']) for g in optim.param_groups}

    assert settings(ours) == settings(theirs)
    assert settings(ours)['backbone.layers.0.ln1.weight'] == (pytest.approx(
        LR * DECAY**NUM_LAYERS), pytest.approx(0.1 * WD))


def test_frozen_parameters_are_left_out():
    model = det_model()
    model.backbone.pos_embed.requires_grad_(False)
    names = [g['param_name'] for g in build('mmdet', model).param_groups]
    assert 'backbone.pos_embed' not in names and 'backbone.patch_embed.projection.weight' in names


def test_found_from_the_three_scopes():
    from mmdet.registry import OPTIM_WRAPPER_CONSTRUCTORS as DET
    from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS as PRETRAIN
    from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS as SEG
    for registry in (DET, SEG, PRETRAIN):
        assert registry.get('LayerDecayOptimWrapperConstructor') is \
            LayerDecayOptimWrapperConstructor
    assert issubclass(LayerDecayOptimWrapperConstructor, LearningRateDecayOptimWrapperConstructor)


def test_bad_configs():
    cfg = dict(optimizer=dict(type='AdamW', lr=LR))
    with pytest.raises(ValueError, match=r"unknown paramwise_cfg keys \['decay_rate'\]"):
        LayerDecayOptimWrapperConstructor(cfg, dict(decay_rate=0.7))  # ViTDet's spelling
    constructor = LayerDecayOptimWrapperConstructor(cfg, dict(layer_decay_rate=0.7))
    with pytest.raises(TypeError, match='get_layer_depth'):
        constructor(nn.Sequential(nn.Linear(2, 2)))
