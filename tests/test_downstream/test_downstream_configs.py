"""The shipped MMDetection / MMSegmentation configs: what they must do, and that they build."""
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from tests.test_downstream.conftest import DET_CONFIG, SEG_CONFIG


def no_downloads(cfg):
    text = cfg.pretty_text
    return cfg.model.get('pretrained') is None and not any(
        s in text for s in ('open-mmlab://', 'torchvision://', 'http://', 'https://'))


@pytest.mark.parametrize('path, scope', [(DET_CONFIG, 'mmdet'), (SEG_CONFIG, 'mmseg')])
def test_downstream_config_loads_a_symmim_backbone_safely(path, scope):
    """What the config must do for a user, not its recipe values: import the plug-in in
    the downstream library's scope, load the pretrained encoder strictly from its
    ``backbone.`` prefix, write tensor-only checkpoints, and download nothing."""
    cfg = Config.fromfile(str(path))
    assert cfg.default_scope == scope and 'symmim_mm' in cfg.custom_imports.imports
    init = cfg.model.backbone.init_cfg
    assert init.type == 'Pretrained' and init.prefix == 'backbone.'
    assert cfg.default_hooks.checkpoint.type == 'SafeCheckpointHook'
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
