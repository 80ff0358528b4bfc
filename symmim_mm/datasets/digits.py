"""The 1,797 handwritten digits shipped inside scikit-learn, as an MMPretrain dataset."""
from typing import List

import cv2
import numpy as np
from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

SPLITS = ('train', 'test')


@DATASETS.register_module()
class Digits(BaseDataset):
    """scikit-learn's 8×8 handwritten digits (UCI), upsampled to ``img_size``.

    Needs no download: the data lie inside the ``scikit-learn`` package. Images are
    3-channel uint8 ``(img_size, img_size, 3)``; labels are the digits 0–9. The
    split is fixed: a stratified ``test_ratio`` of each class, chosen with
    ``split_seed``, is held out as ``'test'``.

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        img_size (int): Output side in pixels. Defaults to 32.
        test_ratio (float): Held-out fraction per class. Defaults to 0.2.
        split_seed (int): Seed of the fixed split. Defaults to 0.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset`
            (``pipeline``, ``test_mode``, ...).
    """

    METAINFO = {'classes': tuple(str(d) for d in range(10))}

    def __init__(self,
                 split: str = 'train',
                 img_size: int = 32,
                 test_ratio: float = 0.2,
                 split_seed: int = 0,
                 **kwargs) -> None:
        if split not in SPLITS:
            raise ValueError(f'`split` must be one of {SPLITS}, got {split!r}.')
        if not 0. < test_ratio < 1.:
            raise ValueError(f'`test_ratio` must be in (0, 1), got {test_ratio!r}.')
        self.split, self.img_size = split, int(img_size)
        self.test_ratio, self.split_seed = test_ratio, split_seed
        kwargs.setdefault('ann_file', '')
        super().__init__(**kwargs)

    def split_indices(self, labels: np.ndarray) -> np.ndarray:
        """Indices of this split: a fixed, stratified partition of the data."""
        rng = np.random.default_rng(self.split_seed)
        test = []
        for c in np.unique(labels):
            idx = rng.permutation(np.flatnonzero(labels == c))
            test.extend(idx[:int(round(len(idx) * self.test_ratio))])
        is_test = np.zeros(len(labels), dtype=bool)
        is_test[test] = True
        return np.flatnonzero(is_test if self.split == 'test' else ~is_test)

    def load_data_list(self) -> List[dict]:
        from sklearn.datasets import load_digits
        digits = load_digits()
        images = (digits.images / 16. * 255.).astype(np.float32)  # (N, 8, 8) in [0, 255]
        data_list = []
        for i in self.split_indices(digits.target):
            img = cv2.resize(
                images[i], (self.img_size, self.img_size), interpolation=cv2.INTER_CUBIC)
            img = np.repeat(np.clip(img, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
            data_list.append(
                dict(
                    img=img,
                    img_shape=img.shape[:2],
                    ori_shape=img.shape[:2],
                    gt_label=int(digits.target[i])))
        return data_list
