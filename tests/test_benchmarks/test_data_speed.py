"""data_speed: pipeline variants per decoding backend, same-image check, worker count."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

from symmim_mm.benchmarks.pipeline import (build_pipeline, image_files, mask_share,
                                           transform_seconds)
from symmim_mm.benchmarks.data_speed import (decoding_backends, fastest_same,
                                             measure_variants, pipeline_variants,
                                             workers_needed)
from symmim_mm.testing import make_fake_imagenet

ROOT = Path(__file__).parents[2]
CONFIG = ROOT / 'configs/symmim/symmim_vit-base-p16_8xb256-amp-coslr-800e_in1k.py'


@pytest.fixture(scope='module')
def config():
    return Config.fromfile(str(CONFIG))


@pytest.fixture(scope='module')
def jpegs(tmp_path_factory):
    root = tmp_path_factory.mktemp('imagenet')
    make_fake_imagenet(str(root), num_train=6, num_val=1, num_classes=3)
    return image_files(str(root), 6)


def test_cv2_and_pillow_are_always_there_turbojpeg_says_why_not():
    backends = decoding_backends()
    assert backends['cv2'] is None and backends['pillow'] is None
    assert 'turbojpeg' in backends  # None when installed, else the reason
    assert backends['turbojpeg'] is None or isinstance(backends['turbojpeg'], str)


def test_variants_swap_the_loader_and_the_resize_backend(config):
    pipeline = list(config.train_dataloader.dataset.pipeline)
    assert pipeline[0] == dict(type='LoadImageFromFile', imdecode_backend='cv2')
    variants = pipeline_variants(pipeline, ['cv2', 'pillow'])
    assert list(variants) == [
        'LoadImageFromFile(cv2), pillow resize', 'LoadImageFromFile(pillow), pillow resize',
        'RobustLoadImageFromFile, pillow resize', 'LoadImageFromFile(cv2), cv2 resize',
        'LoadImageFromFile(pillow), cv2 resize', 'RobustLoadImageFromFile, cv2 resize']
    assert variants['LoadImageFromFile(cv2), pillow resize'] == pipeline  # configured
    assert variants['RobustLoadImageFromFile, pillow resize'][0] == dict(
        type='RobustLoadImageFromFile')
    assert variants['LoadImageFromFile(pillow), cv2 resize'][0] == dict(
        type='LoadImageFromFile', imdecode_backend='pillow')
    assert variants['LoadImageFromFile(pillow), cv2 resize'][1]['backend'] == 'cv2'
    assert pipeline[1]['backend'] == 'pillow'  # the config is left alone
    with pytest.raises(ValueError, match='no image loader'):
        pipeline_variants(pipeline[1:], ['cv2'])


def test_decoders_give_the_same_images_resize_backends_do_not(config, jpegs):
    results = measure_variants(config, jpegs, samples=4, rounds=1, check=3,
                               backends=['cv2', 'pillow'])
    assert [r['configured'] for r in results] == [True] + [False] * 5
    diff = {r['name']: r['max_pixel_difference'] for r in results}
    for loader in ('LoadImageFromFile(cv2)', 'LoadImageFromFile(pillow)',
                   'RobustLoadImageFromFile'):
        assert diff[f'{loader}, pillow resize'] == 0
        assert diff[f'{loader}, cv2 resize'] > 0  # cv2's bicubic does not antialias
    for r in results:
        assert r['images_per_s'] == pytest.approx(1e3 / r['ms_per_image'])
        assert sum(r['stages'].values()) == pytest.approx(r['ms_per_image'])
        assert 'SymmetricMaskGenerator' in r['stages']
    best = fastest_same(results)
    assert best['max_pixel_difference'] == 0
    assert best['images_per_s'] == max(r['images_per_s'] for r in results
                                       if r['max_pixel_difference'] == 0)


def test_mask_share_of_the_pipeline(config, jpegs):
    times = transform_seconds(build_pipeline(config), jpegs, repeats=4)
    assert [name for name, _ in times] == ['LoadImageFromFile', 'RandomResizedCrop',
                                           'RandomFlip', 'SymmetricMaskGenerator',
                                           'PackInputs']
    share = mask_share(times)
    assert share['mask_s'] == times[3][1]
    assert 0 < share['mask_fraction'] < 1


@pytest.mark.parametrize('per_worker, gpu, workers', [(400, 2000, 5), (400, 2001, 6),
                                                      (300, 100, 1)])
def test_workers_needed(per_worker, gpu, workers):
    assert workers_needed(per_worker, gpu) == workers


def test_data_speed_tool(tmp_path):
    out = tmp_path / 'data_speed.json'
    proc = subprocess.run([sys.executable, 'tools/benchmarks/data_speed.py', '--images', '4',
                           '--samples', '3', '--rounds', '1', '--gpu-images-per-s', '1000',
                           '--json', str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '| LoadImageFromFile(cv2), pillow resize (configured) |' in proc.stdout
    assert 'fastest with the configured images' in proc.stdout
    figures = json.loads(out.read_text())
    best = next(v for v in figures['variants'] if v['name'] == figures['fastest_same'])
    assert figures['workers_needed']['1000.0'] == workers_needed(best['images_per_s'], 1000)
    assert f"a GPU at 1000 images/s needs {figures['workers_needed']['1000.0']} loading " \
        'processes' in proc.stdout
