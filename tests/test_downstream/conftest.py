"""Shared by the MMDetection / MMSegmentation tests: the shipped configs, scopes, tiny data.
The tiny SymMIM checkpoint and the subprocess runner are in ``tests/conftest.py``."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from symmim_mm.testing import make_tiny_ade20k, make_tiny_coco
from tests.conftest import ROOT

DET_CONFIG = ROOT / 'configs/mmdet/mask-rcnn_symmim-vit-base-p16_lsj-100e_coco.py'
SEG_CONFIG = ROOT / 'configs/mmseg/upernet_symmim-vit-base-p16_8xb2-amp-160k_ade20k-512x512.py'


@pytest.fixture
def mmdet_scope():
    init_default_scope('mmdet')


@pytest.fixture
def mmseg_scope():
    init_default_scope('mmseg')


@pytest.fixture(scope='session')
def tiny_coco(tmp_path_factory):
    root = tmp_path_factory.mktemp('coco')
    make_tiny_coco(str(root), num_train=4, num_val=2, img_size=128)
    return root


@pytest.fixture(scope='session')
def tiny_ade(tmp_path_factory):
    root = tmp_path_factory.mktemp('ade')
    make_tiny_ade20k(str(root), num_train=4, num_val=2, img_size=64)
    return root


def tiny_config(path: Path, shipped: Path, options: dict, factor: int = 8) -> Path:
    """Write ``path``: the ``shipped`` config with every image size of its data pipelines
    divided by ``factor``, no data-loading workers, no AMP (it needs a GPU), and
    ``options`` merged in."""
    cfg = Config.fromfile(str(shipped))
    seen = set()
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False)
        for transform in cfg[loader].dataset.pipeline:
            for key in ('scale', 'crop_size', 'size'):
                if isinstance(transform.get(key), (tuple, list)) and id(transform) not in seen:
                    transform[key] = tuple(side // factor for side in transform[key])
            seen.add(id(transform))
    cfg.optim_wrapper.type = 'OptimWrapper'
    cfg.merge_from_dict(options)
    cfg.dump(str(path))
    return path
