"""data_speed: pipeline variants per decoding backend and resize step, pixel differences,
worker count; FastRandomResizedCrop against Pillow's antialiased bicubic."""
import copy
import json
import subprocess
import sys
from pathlib import Path

import mmcv
import numpy as np
import pytest
from mmengine.config import Config
from mmpretrain.datasets.transforms import RandomResizedCrop
from mmpretrain.registry import TRANSFORMS

from symmim_mm.benchmarks.data_speed import (decoding_backends, fastest_close, measure_variants,
                                             pipeline_variants, workers_needed)
from symmim_mm.benchmarks.pipeline import (build_pipeline, image_files, mask_share,
                                           transform_seconds, write_photo)
from symmim_mm.datasets.transforms import FastRandomResizedCrop, antialiased_resize
from symmim_mm.testing import make_fake_imagenet

ROOT = Path(__file__).parents[2]
SINGLE_VIEW = ROOT / 'configs/_base_/datasets/imagenet_bs256_symmim_224.py'
CROP = dict(scale=224, crop_ratio_range=(0.67, 1.0), interpolation='bicubic')
VIEW = [dict(type='FastRandomResizedCrop', **CROP), dict(type='RandomFlip', prob=0.5)]


@pytest.fixture(scope='module')
def config():
    """The single-view ImageNet pipeline of the SymMIM configs."""
    cfg = Config.fromfile(str(SINGLE_VIEW))
    cfg.default_scope = 'mmpretrain'
    return cfg


@pytest.fixture(scope='module')
def two_views(config):
    """The same with two views (``MultiView``), as SymMIM's two-view configs."""
    cfg = copy.deepcopy(config)
    pipeline = list(cfg.train_dataloader.dataset.pipeline)
    cfg.train_dataloader.dataset.pipeline = [
        pipeline[0],
        dict(type='MultiView', num_views=[1, 1], transforms=[VIEW, VIEW]), *pipeline[-2:]
    ]
    return cfg


@pytest.fixture(scope='module')
def jpegs(tmp_path_factory):
    root = tmp_path_factory.mktemp('imagenet')
    make_fake_imagenet(str(root), num_train=6, num_val=1, num_classes=3)
    return image_files(str(root), 6)


@pytest.fixture(scope='module')
def photo(tmp_path_factory):
    return mmcv.imread(write_photo(str(tmp_path_factory.mktemp('photo') / 'photo.jpg')))


def crops(transform, img, seeds):
    """The transform's outputs of ``img``, draw ``i`` with NumPy seed ``i``."""
    outputs = []
    for seed in seeds:
        np.random.seed(seed)
        outputs.append(transform(dict(img=img))['img'].astype(np.int16))
    return np.stack(outputs)


@pytest.mark.parametrize('ratio, mean_bound', [((0.67, 1.0), 0.01), ((0.08, 1.0), 0.1)])
def test_fast_crop_is_pillows_antialiased_bicubic_within_rounding(photo, ratio, mean_bound):
    """SymMIM's crops (downscaling) and MMPretrain's default ones (upscaling too):
    measured max |Δ| 2, mean 0.004 and 0.04; OpenCV's bicubic is 4.5 off on average."""
    fast = TRANSFORMS.build(dict(type='FastRandomResizedCrop', scale=224, crop_ratio_range=ratio))
    assert isinstance(fast, FastRandomResizedCrop) and isinstance(fast, RandomResizedCrop)
    pillow, cv2 = (
        RandomResizedCrop(224, crop_ratio_range=ratio, backend=backend, interpolation='bicubic')
        for backend in ('pillow', 'cv2'))
    reference = crops(pillow, photo, range(60))
    diff = np.abs(crops(fast, photo, range(60)) - reference)
    assert diff.shape == (60, 224, 224, 3)
    assert diff.max() <= 3 and diff.mean() <= mean_bound
    if ratio == (0.67, 1.0):  # the bound tells an antialiased resize from one that is not
        assert np.abs(crops(cv2, photo, range(60)) - reference).mean() > 1


def test_fast_crop_draws_the_crops_of_random_resized_crop(photo):
    fast, pillow = FastRandomResizedCrop(**CROP), RandomResizedCrop(**CROP, backend='pillow')
    for seed in range(20):
        np.random.seed(seed)
        box = fast.rand_crop_params(photo)
        np.random.seed(seed)
        assert pillow.rand_crop_params(photo) == box
    out = fast(dict(img=photo))
    assert out['img'].shape == out['img_shape'] == (224, 224, 3)
    assert out['img'].dtype == np.uint8 and out['img'].flags['C_CONTIGUOUS']


def test_antialiased_resize_keeps_the_layout(photo):
    gray = photo[..., 0]
    assert antialiased_resize(gray, (30, 40)).shape == (30, 40)
    assert antialiased_resize(photo[..., :1], (30, 40)).shape == (30, 40, 1)
    bilinear = antialiased_resize(photo, (120, 160), 'bilinear').astype(np.int16)
    pil = mmcv.imresize(photo, (160, 120), interpolation='bilinear', backend='pillow')
    assert np.abs(bilinear - pil).max() <= 3
    with pytest.raises(TypeError, match='uint8'):
        antialiased_resize(photo.astype(np.float32), (30, 40))
    with pytest.raises(ValueError, match="'bicubic' or 'bilinear'"):
        FastRandomResizedCrop(224, interpolation='lanczos')


def test_cv2_and_pillow_are_always_there_turbojpeg_says_why_not():
    backends = decoding_backends()
    assert backends['cv2'] is None and backends['pillow'] is None
    assert 'turbojpeg' in backends  # None when installed, else the reason
    assert backends['turbojpeg'] is None or isinstance(backends['turbojpeg'], str)


def test_variants_swap_the_loader_and_the_resize_step(config):
    pipeline = list(config.train_dataloader.dataset.pipeline)
    assert pipeline[0] == dict(type='LoadImageFromFile', imdecode_backend='cv2')
    assert pipeline[1] == dict(type='FastRandomResizedCrop', **CROP)
    variants = pipeline_variants(pipeline, ['cv2', 'pillow'])
    loaders = ['LoadImageFromFile(cv2)', 'LoadImageFromFile(pillow)', 'RobustLoadImageFromFile']
    assert list(variants) == [
        f'{loader}, {resize} resize' for resize in ('torch', 'pillow', 'cv2', 'cv2-area')
        for loader in loaders
    ]
    assert variants['LoadImageFromFile(cv2), torch resize'] == pipeline  # configured
    assert variants['RobustLoadImageFromFile, torch resize'][0] == dict(
        type='RobustLoadImageFromFile')
    assert variants['LoadImageFromFile(pillow), cv2 resize'][0] == dict(
        type='LoadImageFromFile', imdecode_backend='pillow')
    assert variants['LoadImageFromFile(cv2), pillow resize'][1] == dict(
        type='RandomResizedCrop', backend='pillow', **CROP)
    assert variants['LoadImageFromFile(cv2), cv2-area resize'][1] == dict(
        CROP, type='RandomResizedCrop', backend='cv2', interpolation='area')
    assert pipeline[1] == dict(type='FastRandomResizedCrop', **CROP)  # left alone
    with pytest.raises(ValueError, match='no image loader'):
        pipeline_variants(pipeline[1:], ['cv2'])


def test_decoders_give_the_same_images_resizes_close_or_not(config, jpegs):
    results = measure_variants(
        config, jpegs, samples=2, rounds=1, check=3, backends=['cv2', 'pillow'])
    assert [r['configured'] for r in results] == [True] + [False] * 11
    diff = {r['name']: (r['max_pixel_difference'], r['mean_pixel_difference']) for r in results}
    for loader in ('LoadImageFromFile(cv2)', 'LoadImageFromFile(pillow)',
                   'RobustLoadImageFromFile'):
        assert diff[f'{loader}, torch resize'] == (0, 0)  # the decoders agree exactly
        largest, mean = diff[f'{loader}, pillow resize']
        assert largest <= 3 and mean <= 0.01
        assert diff[f'{loader}, cv2 resize'][1] > 1  # OpenCV's bicubic: no antialiasing
        assert diff[f'{loader}, cv2-area resize'][1] > 0.1  # a box filter, not bicubic
    for r in results:
        assert r['images_per_s'] == pytest.approx(1e3 / r['ms_per_image'])
        assert sum(r['stages'].values()) == pytest.approx(r['ms_per_image'])
        assert 'SymmetricMaskGenerator' in r['stages']
    close = fastest_close(results, 3, 0.1)
    assert 'torch resize' in close['name'] or 'pillow resize' in close['name']
    assert close['images_per_s'] == max(
        r['images_per_s'] for r in results
        if r['max_pixel_difference'] <= 3 and r['mean_pixel_difference'] <= 0.1)
    assert 'torch resize' in fastest_close(results)['name']  # the same images only


def test_two_view_pipelines_swap_the_crop_of_every_view(two_views, jpegs):
    pipeline = list(two_views.train_dataloader.dataset.pipeline)
    variants = pipeline_variants(pipeline, ['cv2'])
    assert list(variants)[0] == 'LoadImageFromFile(cv2), torch resize'
    pillow = variants['RobustLoadImageFromFile, pillow resize']
    assert pillow[0] == dict(type='RobustLoadImageFromFile')
    assert [view[0] for view in pillow[1]['transforms']
            ] == [dict(type='RandomResizedCrop', backend='pillow', **CROP)] * 2
    assert pipeline[1]['transforms'][1][0]['type'] == 'FastRandomResizedCrop'  # left alone
    results = measure_variants(two_views, jpegs, samples=2, rounds=1, check=2, backends=['cv2'])
    diff = {r['name']: (r['max_pixel_difference'], r['mean_pixel_difference']) for r in results}
    assert diff['LoadImageFromFile(cv2), torch resize'] == (0, 0)
    assert diff['LoadImageFromFile(cv2), pillow resize'][0] <= 3
    assert diff['LoadImageFromFile(cv2), cv2 resize'][1] > 1


def test_mask_share_of_the_pipeline(config, jpegs):
    times = transform_seconds(build_pipeline(config), jpegs, repeats=4)
    assert [name for name, _ in times] == [
        'LoadImageFromFile', 'FastRandomResizedCrop', 'RandomFlip', 'SymmetricMaskGenerator',
        'PackInputs'
    ]
    share = mask_share(times)
    assert share['mask_s'] == times[3][1]
    assert 0 < share['mask_fraction'] < 1


@pytest.mark.parametrize('per_worker, gpu, workers', [(400, 2000, 5), (400, 2001, 6),
                                                      (300, 100, 1)])
def test_workers_needed(per_worker, gpu, workers):
    assert workers_needed(per_worker, gpu) == workers


def test_data_speed_tool(tmp_path):
    out = tmp_path / 'data_speed.json'
    proc = subprocess.run([
        sys.executable, 'tools/benchmarks/data_speed.py', '--images', '4', '--samples', '3',
        '--rounds', '1', '--gpu-images-per-s', '1000', '--json',
        str(out)
    ],
                          cwd=ROOT,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert ', torch resize (configured) |' in proc.stdout  # the SymMIM ViT-B config's
    assert 'fastest close to the configured images (max |Δ| <= 3, mean |Δ| <= 0.1)' \
        in proc.stdout
    figures = json.loads(out.read_text())
    assert figures['tolerance'] == [3, 0.1]
    best = next(v for v in figures['variants'] if v['name'] == figures['fastest_close'])
    assert best['mean_pixel_difference'] <= 0.1
    assert figures['workers_needed']['1000.0'] == workers_needed(best['images_per_s'], 1000)
    assert f"a GPU at 1000 images/s needs {figures['workers_needed']['1000.0']} loading " \
        'processes' in proc.stdout
