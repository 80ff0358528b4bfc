import numpy as np
import pytest
from mmpretrain.registry import TRANSFORMS

from symmim_mm.datasets import SymmetricMaskGenerator


def masks(**kwargs):
    results = TRANSFORMS.build(dict(type='SymmetricMaskGenerator', **kwargs)).transform({})
    return results['mask'], results['momentum_mask']


def test_paper_facts_224_p16():
    m1, m2 = masks(input_size=224, patch_size=16, block_size=32)
    assert m1.shape == m2.shape == (14, 14)
    assert m1.sum() == 98  # half of 196
    assert m2.sum() == 96  # 7 blocks a side is odd: 24 of 49 2x2 blocks
    # every 4-neighbour of a masked M1 patch is visible
    padded = np.pad(m1, 1, constant_values=0)
    i, j = np.nonzero(m1)
    for di, dj in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        assert not padded[i + 1 + di, j + 1 + dj].any()
    assert np.array_equal(m1[:, ::-1], 1 - m1)  # left-right flip -> complement
    assert np.array_equal(m2[:, ::-1], m2) and np.array_equal(m2[::-1], m2)
    assert np.array_equal(np.rot90(m1, 2), m1) and np.array_equal(np.rot90(m2, 2), m2)
    overlap = (m1 & m2).sum() / m2.sum()
    assert 0.4 <= overlap <= 0.6
    # exact formulas
    ii, jj = np.meshgrid(np.arange(14), np.arange(14), indexing='ij')
    assert np.array_equal(m1, (ii + jj) % 2)
    assert np.array_equal(m2, (ii // 2 + jj // 2) % 2)


def test_non_square_and_partial_blocks():
    m1, m2 = masks(input_size=(96, 160), patch_size=16, block_size=48)  # grid 6x10, k=3
    assert m1.shape == m2.shape == (6, 10)
    ii, jj = np.meshgrid(np.arange(6), np.arange(10), indexing='ij')
    assert np.array_equal(m2, (ii // 3 + jj // 3) % 2)  # last column block is partial


def test_masks_are_fresh_copies():
    t = SymmetricMaskGenerator(input_size=32, patch_size=4, block_size=8)
    a = t.transform({})['mask']
    a[:] = 7
    assert t.transform({})['mask'].max() == 1


@pytest.mark.parametrize('kwargs, name', [
    (dict(input_size=225), 'input_size'),
    (dict(input_size=(224, 200), patch_size=16), 'input_size'),
    (dict(input_size=0), 'input_size'),
    (dict(patch_size=-16), 'patch_size'),
    (dict(block_size=8), 'block_size'),
    (dict(block_size=40), 'block_size'),
    (dict(block_size=0), 'block_size'),
    (dict(mask_mode='blocks'), 'mask_mode'),
    (dict(mask_mode='random', mask_ratio=1.5), 'mask_ratio'),
])
def test_bad_sizes_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=f'`{name}`'):
        SymmetricMaskGenerator(**kwargs)


def test_random_mode_ratio_and_blocks():
    np.random.seed(0)
    m1, m2 = masks(input_size=224, mask_mode='random', mask_ratio=0.75)
    assert m1.sum() == round(196 * 0.75)
    blocks = m2.reshape(7, 2, 7, 2)
    assert np.array_equal(blocks.min(axis=(1, 3)), blocks.max(axis=(1, 3)))  # whole blocks
    assert blocks[:, 0, :, 0].sum() == round(49 * 0.75)
    other, _ = masks(input_size=224, mask_mode='random', mask_ratio=0.75)
    assert not np.array_equal(m1, other)


def test_phase_flip_gives_complements():
    np.random.seed(0)
    t = SymmetricMaskGenerator(input_size=64, patch_size=16, block_size=32, phase_flip=True)
    seen = {t.transform({})['mask'].tobytes() for _ in range(50)}
    assert seen == {t.online_mask.tobytes(), (1 - t.online_mask).tobytes()}


def test_repr():
    t = SymmetricMaskGenerator(input_size=32, patch_size=4, block_size=8)
    assert repr(t) == ("SymmetricMaskGenerator(input_size=(32, 32), patch_size=4, "
                       "block_size=8, phase_flip=False, mask_mode='symmetric', "
                       "mask_ratio=0.5)")
