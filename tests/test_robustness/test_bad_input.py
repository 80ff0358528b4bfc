"""Odd and broken image files, wrong configs and diverging losses: clear messages, nothing
lost."""
import re

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from PIL import Image

from symmim_mm.datasets import (ConfigError, ImageLoadError, RobustLoadImageFromFile,
                                check_train_config)
from tests.conftest import ROOT, run_script
from tests.test_robustness.runs import CONFIG

RGB = np.random.default_rng(0).integers(0, 256, (20, 24, 3), dtype=np.uint8)


def write(path, kind):
    """Write an image of ``kind`` to ``path``; return the RGB uint8 it should load as."""
    if kind == 'gray':
        Image.fromarray(RGB[..., 0]).save(path)
        return np.repeat(RGB[..., :1], 3, axis=2)
    if kind == 'rgba':  # alpha 0 on the left half, 255 on the right: composited on black
        alpha = np.zeros(RGB.shape[:2], np.uint8)
        alpha[:, 12:] = 255
        Image.fromarray(np.dstack([RGB, alpha])).save(path)
        return np.where(alpha[..., None] > 0, RGB, 0).astype(np.uint8)
    if kind == 'gray16':
        cv2.imwrite(str(path), RGB[..., 0].astype(np.uint16) * 257)
        return np.repeat(RGB[..., :1], 3, axis=2)
    if kind == 'rgb16':
        cv2.imwrite(str(path), RGB[..., ::-1].astype(np.uint16) * 257)
        return RGB
    if kind == 'palette':
        Image.fromarray(RGB).convert('P').save(path)
        return np.asarray(Image.open(path).convert('RGB'))
    if kind == 'tiny':
        Image.fromarray(RGB[:3, :2]).save(path)
        return RGB[:3, :2]
    raise ValueError(kind)


@pytest.mark.parametrize('kind, name', [('gray', 'g.png'), ('rgba', 'a.png'),
                                        ('gray16', 'g16.png'), ('rgb16', 'c16.png'),
                                        ('palette', 'p.gif'), ('tiny', 't.png')])
def test_image_kinds_load_as_3_channel_uint8(tmp_path, kind, name):
    path = tmp_path / name
    expected = write(path, kind)
    results = RobustLoadImageFromFile()(dict(img_path=str(path)))
    assert results['img'].dtype == np.uint8 and results['img'].shape == expected.shape
    np.testing.assert_array_equal(results['img'], expected[..., ::-1])  # BGR by default
    assert results['img_shape'] == results['ori_shape'] == expected.shape[:2]
    rgb = RobustLoadImageFromFile(channel_order='rgb', to_float32=True)(dict(img_path=str(path)))
    np.testing.assert_array_equal(rgb['img'], expected.astype(np.float32))


def bad_files(root):
    """Broken files, each with the words its error must contain."""
    Image.fromarray(RGB).save(root / 'whole.jpg', quality=95)
    data = (root / 'whole.jpg').read_bytes()
    (root / 'cut.jpg').write_bytes(data[:len(data) // 2])
    Image.fromarray(RGB).save(root / 'whole.png')
    data = (root / 'whole.png').read_bytes()
    (root / 'cut.png').write_bytes(data[:len(data) // 2])
    (root / 'junk.jpg').write_bytes(b'this is not an image')
    (root / 'empty.png').write_bytes(b'')
    Image.fromarray(RGB[..., 0].astype(np.float32)).save(root / 'float.tif')
    return {
        'cut.jpg': 'the file is truncated or corrupt',
        'cut.png': 'truncated or corrupt',
        'junk.jpg': 'not an image file',
        'empty.png': 'not an image file',
        'float.tif': '32-bit floating-point images are not supported'
    }


def test_bad_files_are_named(tmp_path):
    loader = RobustLoadImageFromFile(min_size=8)
    for name, words in bad_files(tmp_path).items():
        with pytest.raises(ImageLoadError, match=rf'^{tmp_path / name}: .*{words}'):
            loader(dict(img_path=str(tmp_path / name)))
    write(tmp_path / 'tiny.png', 'tiny')
    with pytest.raises(
            ImageLoadError, match=f'{tmp_path}/tiny.png: 2x3 pixels, smaller than '
            'min_size=8'):
        loader(dict(img_path=str(tmp_path / 'tiny.png')))
    with pytest.raises(FileNotFoundError, match=f'{tmp_path}/gone.png: image file not found'):
        loader(dict(img_path=str(tmp_path / 'gone.png')))
    skipper = RobustLoadImageFromFile(skip_bad=True)
    assert skipper(dict(img_path=str(tmp_path / 'cut.jpg'))) is None
    assert skipper.skipped_count() == 1
    assert "RobustLoadImageFromFile(min_size=8, skip_bad=False" in repr(loader)


def image_run_cfg(root, work_dir, skip_bad, num_workers):
    """The quickstart on a folder of image files (12 of them: 3 batches of 4)."""
    cfg = Config.fromfile(str(ROOT / CONFIG))
    cfg.work_dir = str(work_dir)
    cfg.model.backbone.arch.num_layers = 1
    cfg.train_dataloader.update(batch_size=4, num_workers=num_workers, persistent_workers=False)
    cfg.train_dataloader.dataset = dict(
        type='CustomDataset',
        data_root=str(root),
        with_label=False,
        pipeline=[
            dict(type='RobustLoadImageFromFile', skip_bad=skip_bad),
            *cfg.train_dataloader.dataset.pipeline
        ])
    cfg.train_cfg.max_epochs = 2
    cfg.custom_hooks = [*cfg.custom_hooks, dict(type='SkippedImagesHook')]
    return cfg


@pytest.mark.slow
def test_bad_files_skipped_and_counted_in_training(tmp_path):
    root = tmp_path / 'images'
    root.mkdir()
    for i in range(9):
        Image.fromarray(np.roll(RGB, i, axis=1)).save(root / f'good_{i}.png')
    bad = ['cut.jpg', 'cut.png', 'junk.jpg']
    for name in set(bad_files(root)) - set(bad) | {'whole.jpg', 'whole.png'}:
        (root / name).unlink()
    assert len(list(root.iterdir())) == 12

    with pytest.raises(ImageLoadError, match=f'{root}/(cut|junk)'):  # the default stops
        Runner.from_cfg(image_run_cfg(root, tmp_path / 'stop', False, 0)).train()

    Runner.from_cfg(image_run_cfg(root, tmp_path / 'skip', True, 2)).train()
    log = next((tmp_path / 'skip').glob('*/*.log')).read_text()
    for name in bad:
        assert f'skipped a bad image: {root / name}' in log
    counts = [
        int(line.split('Epoch ')[1].split(': ')[1].split()[0]) for line in log.splitlines()
        if 'samples skipped because' in line
    ]
    assert len(counts) == 2 and all(c >= 3 for c in counts), counts  # summed over 2 workers


PIPELINE = r'train_dataloader.dataset.pipeline\[1\]'


@pytest.mark.parametrize('option, words', [
    ('train_dataloader.dataset.pipeline.1.input_size=30',
     PIPELINE + r' \(SymmetricMaskGenerator\): `input_size` \(30, 30\) is not divisible by '
     r'`patch_size` 4'),
    ('train_dataloader.dataset.pipeline.1.block_size=6',
     PIPELINE + r' \(SymmetricMaskGenerator\): `block_size` \(6\) must be a multiple of '
     r'`patch_size` \(4\)'),
    ('train_dataloader.dataset.pipeline.1.blok_size=8',
     PIPELINE + r' \(SymmetricMaskGenerator\): .*unexpected keyword argument \'blok_size\''),
    ('model.con_weigth=1',
     r"model.con_weigth: SymMIM has no argument 'con_weigth' \(its arguments: backbone, "),
    ('train_dataloader.dataset.img_sz=8',
     r'train_dataloader.dataset \(Digits\): .*unexpected keyword argument \'img_sz\''),
    ('train_dataloader.dataset.data_root=data/nowhere',
     r"train_dataloader.dataset.data_root: 'data/nowhere' does not exist"),
    ('train_dataloader.dataset.pipeline.1.patch_size=8',
     PIPELINE + r'.patch_size \(8\) differs from model.backbone.patch_size \(4\)'),
    ('train_dataloader.dataset.pipeline.0.transforms.0.0.scale=64',
     PIPELINE + r'.input_size \(32\) differs from the size that pipeline\[0\] '
     r'\(RandomResizedCrop\) crops to'),
])
def test_wrong_configs_fail_at_once_naming_the_key(monkeypatch, tmp_path, option, words):
    cfg = Config.fromfile(str(ROOT / CONFIG))
    key, value = option.split('=')
    cfg.merge_from_dict({key: int(value) if value.isdigit() else value})
    with pytest.raises(ConfigError, match=words):
        check_train_config(cfg)
    with pytest.raises(SystemExit, match=f'^{re.escape(CONFIG)}: {words}'):
        run_script(monkeypatch, 'tools/train.py', CONFIG, '--work-dir', tmp_path, '--cfg-options',
                   option)
    assert not list(tmp_path.iterdir())  # stopped before the Runner existed


@pytest.mark.slow
def test_non_finite_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    config = tmp_path / 'nan.py'
    config.write_text(
        f"_base_ = '{ROOT / CONFIG}'\n"
        "custom_imports = dict(imports=['symmim_mm', 'tests.test_robustness.recorder'])\n"
        "custom_hooks = [dict(type='StopOnNonFiniteLossHook'),\n"
        "                dict(type='PoisonWeightsHook', at_iter=5)]\n")
    work_dir = tmp_path / 'work'
    with pytest.raises(FloatingPointError) as stopped:
        run_script(monkeypatch, 'tools/train.py', config, '--work-dir', work_dir, '--cfg-options',
                   'train_cfg.max_epochs=3', 'train_dataloader.num_batch_per_epoch=2',
                   'train_dataloader.num_workers=0', 'model.backbone.arch.num_layers=1',
                   'default_hooks.checkpoint.interval=1')
    last = work_dir / 'epoch_2.pth'
    assert str(stopped.value).startswith(
        'Non-finite loss at epoch 3, iteration 5: loss=nan, loss_rec=nan, loss_con=nan. '
        f'Training stopped before these weights could be saved. The last good checkpoint is '
        f'{last}; resume from it with `--resume {last}`')
    assert sorted(p.name for p in work_dir.glob('*.pth')) == ['epoch_1.pth', 'epoch_2.pth']
    assert (work_dir / 'last_checkpoint').read_text() == str(last)
    state = torch.load(last, weights_only=True)['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())
