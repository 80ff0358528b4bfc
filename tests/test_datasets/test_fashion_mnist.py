"""FashionMNISTSplit: fixed stratified train/val split, 3-channel images, no download."""
import numpy as np
import pytest
from mmpretrain.registry import DATASETS

from symmim_mm.testing.fashion_mnist import make_tiny_fashion_mnist
from tests.conftest import run_tool


def build(root, split, **kwargs):
    return DATASETS.build(
        dict(type='FashionMNISTSplit', data_root=str(root), split=split, **kwargs))


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    return make_tiny_fashion_mnist(
        str(tmp_path_factory.mktemp('fmnist')), num_train=60, num_test=20)


def test_splits_are_fixed_disjoint_and_stratified(root):
    train, val, test = (build(root, s) for s in ('train', 'val', 'test'))
    assert (len(train), len(val), len(test)) == (50, 10, 20)
    assert sorted(val.get_gt_labels().tolist()) == list(range(10))  # one image per class
    assert len(build(root, 'trainval')) == 60
    imgs = lambda ds: {ds.get_data_info(i)['img'].tobytes() for i in range(len(ds))}  # noqa
    assert not imgs(train) & imgs(val)
    assert imgs(train) | imgs(val) == imgs(build(root, 'trainval'))
    again = build(root, 'val')
    assert imgs(again) == imgs(val)  # the same split every time
    other = build(root, 'val', split_seed=1)
    assert imgs(other) != imgs(val)


def test_images_are_three_channel_uint8_with_labels(root):
    info = build(root, 'test').get_data_info(0)
    img = info['img']
    assert img.shape == (28, 28, 3) and img.dtype == np.uint8
    assert (img[..., 0] == img[..., 2]).all()
    assert 0 <= info['gt_label'] < 10


def test_reads_gzipped_files(tmp_path):
    make_tiny_fashion_mnist(str(tmp_path), num_train=12, num_test=6, compress=True)
    assert len(build(tmp_path, 'test')) == 6
    assert len(build(tmp_path, 'trainval')) == 12


def test_missing_files_say_where_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        build(tmp_path, 'train')
    msg = str(err.value)
    assert str(tmp_path / 'train-images-idx3-ubyte') in msg
    assert 'apt-get install dataset-fashion-mnist' in msg and 'gunzip' in msg


def test_rejects_unknown_split(root):
    with pytest.raises(ValueError, match="'valid'"):
        build(root, 'valid')


def test_train_tool_names_a_missing_data_root_and_where_to_get_it(tmp_path):
    missing = tmp_path / 'no_fashion_mnist'
    config = 'configs/equal_budget/symmim_vit-tiny-p4_fashion-mnist-32px.py'
    proc = run_tool([
        'tools/train.py', config, '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', f'train_dataloader.dataset.data_root={missing}'
    ],
                    check=False)
    assert proc.returncode != 0
    assert f"train_dataloader.dataset.data_root: '{missing}' does not exist" in proc.stderr
    assert 'apt-get install dataset-fashion-mnist' in proc.stderr
    assert not (tmp_path / 'work').exists() or not any((tmp_path / 'work').rglob('*.pth'))
