"""The shipped MMDetection / MMSegmentation configs: recipe values and that they build."""
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from tests.test_downstream.conftest import DET_CONFIG, SEG_CONFIG


def no_downloads(cfg):
    text = cfg.pretty_text
    return cfg.model.get('pretrained') is None and not any(
        s in text for s in ('open-mmlab://', 'torchvision://', 'http://', 'https://'))


def test_mask_rcnn_recipe():
    cfg = Config.fromfile(str(DET_CONFIG))
    assert cfg.default_scope == 'mmdet' and 'symmim_mm' in cfg.custom_imports.imports
    backbone = cfg.model.backbone
    assert backbone.type == 'SymMIMViTDet' and backbone.window_size == 14
    assert tuple(backbone.global_indices) == (2, 5, 8, 11)
    assert backbone.init_cfg == dict(type='Pretrained', checkpoint='', prefix='backbone.')
    assert cfg.model.neck.type == 'ViTDetSimpleFPN'
    for norm in (cfg.model.neck.norm_cfg, cfg.model.roi_head.bbox_head.norm_cfg,
                 cfg.model.roi_head.mask_head.norm_cfg):
        assert norm.type == 'mmpretrain.LN2d'
    assert cfg.optim_wrapper.constructor == 'LayerDecayOptimWrapperConstructor'
    assert cfg.optim_wrapper.paramwise_cfg == dict(
        layer_decay_rate=0.7, flat_decay_mult=0., custom_keys={'pos_embed': dict(decay_mult=0.)})
    assert cfg.default_hooks.checkpoint.type == 'SafeCheckpointHook'
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    assert (cfg.optim_wrapper.optimizer.lr, cfg.optim_wrapper.optimizer.weight_decay) == \
        (1e-4, 0.1)
    assert cfg.train_cfg.type == 'IterBasedTrainLoop' and cfg.train_cfg.max_iters == 184375
    assert [t.type for t in cfg.train_dataloader.dataset.pipeline][3:5] == \
        ['RandomResize', 'RandomCrop']
    assert cfg.train_dataloader.dataset.pipeline[3].ratio_range == (0.1, 2.0)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[loader].collate_fn.type == 'pseudo_collate'
    assert no_downloads(cfg)


def test_upernet_recipe():
    cfg = Config.fromfile(str(SEG_CONFIG))
    assert cfg.default_scope == 'mmseg' and 'symmim_mm' in cfg.custom_imports.imports
    assert cfg.model.backbone.type == 'SymMIMViTSeg'
    assert tuple(cfg.model.backbone.out_indices) == (3, 5, 7, 11)
    assert cfg.model.neck.type == 'Feature2Pyramid'
    assert cfg.model.neck.rescales == [4, 2, 1, 0.5]
    assert cfg.model.decode_head.type == 'UPerHead' and cfg.model.auxiliary_head.type == 'FCNHead'
    assert cfg.optim_wrapper.constructor == 'LayerDecayOptimWrapperConstructor'
    assert cfg.optim_wrapper.paramwise_cfg.layer_decay_rate == 0.65
    assert cfg.optim_wrapper.paramwise_cfg.flat_decay_mult == 0.
    assert cfg.default_hooks.checkpoint.type == 'SafeCheckpointHook'
    assert cfg.train_cfg.max_iters == 160000 and cfg.crop_size == (512, 512)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[loader].collate_fn.type == 'pseudo_collate'
    assert no_downloads(cfg)


@pytest.mark.parametrize('path, scope', [(DET_CONFIG, 'mmdet'), (SEG_CONFIG, 'mmseg')])
def test_full_size_models_build(path, scope):
    cfg = Config.fromfile(str(path))
    init_default_scope(scope)
    if scope == 'mmdet':
        from mmdet.registry import MODELS
    else:
        from mmseg.registry import MODELS
    model = MODELS.build(cfg.model)
    assert model.backbone.embed_dims == 768 and len(model.backbone.layers) == 12
    if scope == 'mmdet':  # ViTSAM's layout: no cls token, a 64 x 64 grid
        assert model.backbone.pos_embed.shape == (1, 64, 64, 768)
        assert [layer.window_size for layer in model.backbone.layers] == [14, 14, 0] * 4
    else:
        assert model.backbone.pos_embed.shape == (1, 1 + 32**2, 768)
