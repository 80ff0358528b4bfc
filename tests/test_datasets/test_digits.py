import numpy as np
import pytest
from mmpretrain.registry import DATASETS


def test_fixed_disjoint_stratified_split():
    train = DATASETS.build(dict(type='Digits', split='train'))
    test = DATASETS.build(dict(type='Digits', split='test'))
    assert len(train) + len(test) == 1797
    assert 350 <= len(test) <= 370
    item = train.get_data_info(0)
    assert item['img'].shape == (32, 32, 3) and item['img'].dtype == np.uint8
    assert item['img'].max() > 200
    labels = np.array([test.get_data_info(i)['gt_label'] for i in range(len(test))])
    assert set(labels) == set(range(10))
    again = DATASETS.build(dict(type='Digits', split='test'))
    assert all(
        np.array_equal(test.get_data_info(i)['img'],
                       again.get_data_info(i)['img']) for i in range(0, len(test), 37))
    train_imgs = {train.get_data_info(i)['img'].tobytes() for i in range(len(train))}
    shared = sum(test.get_data_info(i)['img'].tobytes() in train_imgs for i in range(len(test)))
    assert shared <= 3  # only true duplicates of the source data may coincide


def test_bad_split():
    with pytest.raises(ValueError, match='`split`'):
        DATASETS.build(dict(type='Digits', split='val'))
