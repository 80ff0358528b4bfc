import functools
from pathlib import Path

import pytest
from mmengine.config import Config

CONFIGS = sorted(
    str(p) for p in (Path(__file__).parents[1] / 'configs' / 'symmim').rglob('*.py')
    if '_base_' not in p.parts)


def test_configs_exist():
    names = {Path(c).name for c in CONFIGS}
    assert {
        'symmim_vit-small-p16_8xb256-amp-coslr-800e_in1k.py',
        'symmim_vit-base-p16_8xb256-amp-coslr-800e_in1k.py',
        'symmim_vit-large-p16_8xb256-amp-coslr-1600e_in1k.py', 'symmim_vit-tiny-p4_digits-32px.py'
    } <= names


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: Path(p).name)
def test_config_parses(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpretrain'
    assert 'symmim_mm' in cfg.custom_imports['imports']
    if cfg.model.type == 'SymMIM':
        pipeline = cfg.train_dataloader.dataset.pipeline
        types = [t['type'] for t in pipeline]
        assert types.index('SymmetricMaskGenerator') < types.index('PackInputs')
        assert 'momentum_mask' in pipeline[-1]['algorithm_keys']


@pytest.mark.parametrize('arch, dims, epochs', [('small', 384, 800), ('base', 768, 800),
                                                ('large', 1024, 1600)])
def test_imagenet_configs_build(arch, dims, epochs):
    from mmpretrain.registry import MODELS
    name = f'symmim_vit-{arch}-p16_8xb256-amp-coslr-{epochs}e_in1k.py'
    cfg = Config.fromfile(str(Path(__file__).parents[1] / 'configs' / 'symmim' / name))
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.train_dataloader.dataset.data_root == 'data/imagenet/'
    assert cfg.optim_wrapper.optimizer.lr == pytest.approx(1.5e-4 * 2048 / 256)
    assert cfg.model.backbone.sincos_pos_embed  # the default of every SymMIM config
    if arch == 'small':  # building ViT-L/B costs seconds; the small one is enough
        model = MODELS.build(cfg.model)
        assert model.backbone.embed_dims == dims
        assert not model.backbone.pos_embed.requires_grad


SHIPPED = CONFIGS + sorted(
    str(p) for lib in ('mmdet', 'mmseg', 'simmim', 'equal_budget')
    for p in (Path(__file__).parents[1] / 'configs' / lib).glob('*.py'))
TRAINING = [c for c in SHIPPED if '_knn_' not in Path(c).name]


@functools.lru_cache(maxsize=None)
def load(path: str) -> Config:
    return Config.fromfile(path)


@pytest.mark.parametrize('path', TRAINING, ids=lambda p: Path(p).name)
def test_training_configs_write_safe_checkpoints_and_decay_with_one_constructor(path):
    cfg = load(path)
    assert cfg.default_hooks.checkpoint.type == 'SafeCheckpointHook'
    if 'layer_decay_rate' in (cfg.optim_wrapper.get('paramwise_cfg') or {}):
        assert cfg.optim_wrapper.constructor == 'LayerDecayOptimWrapperConstructor'


def test_every_fine_tune_config_is_covered():
    fine_tune = [
        c for c in TRAINING
        if 'layer_decay_rate' in (load(c).optim_wrapper.get('paramwise_cfg') or {})
    ]
    assert {Path(c).name
            for c in fine_tune} == {
                'vit-base-p16_8xb128-coslr-100e_in1k.py', 'vit-large-p16_8xb128-coslr-50e_in1k.py',
                'vit-small-p16_8xb128-coslr-100e_in1k.py', 'vit-tiny-p4_ft-30e_digits-32px.py',
                'vit-tiny-p4_ft-10e_fashion-mnist-32px.py',
                'vit-tiny-p4_ft-4e_fashion-mnist-32px.py',
                'mask-rcnn_symmim-vit-base-p16_lsj-100e_coco.py',
                'upernet_symmim-vit-base-p16_8xb2-amp-160k_ade20k-512x512.py'
            }
