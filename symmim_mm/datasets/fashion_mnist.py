"""Fashion-MNIST with a fixed validation split, read from local IDX files only."""
import os.path as osp
import warnings
from typing import List, Optional

import numpy as np
from mmpretrain.datasets import FashionMNIST
from mmpretrain.datasets.mnist import read_sn3_pascalvincent_tensor
from mmpretrain.registry import DATASETS

SPLITS = ('train', 'val', 'test', 'trainval')
FILES = {
    'trainval': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
}
WHERE_TO_GET = (
    'Fashion-MNIST is never downloaded at run time. Get the four IDX files from the official '
    'release (https://github.com/zalandoresearch/fashion-mnist, data/fashion), or on '
    'Debian/Ubuntu run `apt-get install dataset-fashion-mnist`, which installs the .gz files '
    'under /usr/share/datasets/fashion-mnist/, and gunzip them into the data root (the .gz '
    'files are read as they are, too).')


@DATASETS.register_module()
class FashionMNISTSplit(FashionMNIST):
    """MMPretrain's :class:`~mmpretrain.datasets.FashionMNIST` (70,000 real 28×28
    photos of clothing, 10 classes) with a fixed validation split and 3-channel images.

    The 60,000 training images are divided once, stratified by class with
    ``split_seed``, into ``'train'`` (50,000) and ``'val'`` (``val_ratio`` = 1/6 of
    each class: 10,000): settings are chosen on ``'val'``; the 10,000 ``'test'`` images
    serve only final results. ``'trainval'`` is all 60,000. Images are ``(28, 28, 3)``
    uint8 (the gray channel repeated, so RGB encoders and decoders apply unchanged).

    Nothing is downloaded: ``data_root`` must hold the four standard IDX files
    (``train-images-idx3-ubyte``, ..., plain or ``.gz``), else a
    ``FileNotFoundError`` says where to get them (:attr:`WHERE_TO_GET`).

    Args:
        data_root (str): Folder of the IDX files.
        split (str): ``'train'``, ``'val'``, ``'test'`` or ``'trainval'``.
            Defaults to ``'train'``.
        val_ratio (float): Share of each class's training images held out as
            ``'val'``, in (0, 1). Defaults to 1/6.
        split_seed (int): Seed of the fixed train/val division. Defaults to 0.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset`
            (``pipeline``, ``indices``, ...).
    """

    WHERE_TO_GET = WHERE_TO_GET

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 val_ratio: float = 1 / 6,
                 split_seed: int = 0,
                 **kwargs) -> None:
        if split not in SPLITS:
            raise ValueError(f'`split` must be one of {SPLITS}, got {split!r}.')
        if not 0. < float(val_ratio) < 1.:
            raise ValueError(f'`val_ratio` must be in (0, 1), got {val_ratio!r}.')
        self.val_ratio, self.split_seed = float(val_ratio), split_seed
        self.subset = split  # MNIST's `split` knows only 'train' and 'test'
        kwargs.pop('download', None)  # never downloads
        super().__init__(
            data_root=data_root,
            split='test' if split == 'test' else 'train',
            download=False,
            test_mode=split == 'test',
            **kwargs)
        self.split = split

    def _idx_file(self, name: str) -> str:
        """Path of an IDX file in the data root, plain or gzipped."""
        root = self.data_prefix['root']
        for path in (osp.join(root, name), osp.join(root, name + '.gz')):
            if osp.isfile(path):
                return path
        raise FileNotFoundError(f'{osp.join(root, name)}: Fashion-MNIST file not found (nor '
                                f'{name}.gz). {WHERE_TO_GET}')

    def split_indices(self, labels: np.ndarray) -> Optional[np.ndarray]:
        """Indices of this split within its file (None: the whole file)."""
        if self.subset in ('test', 'trainval'):
            return None
        rng = np.random.default_rng(self.split_seed)
        val = []
        for c in np.unique(labels):
            idx = np.flatnonzero(labels == c)
            val.extend(rng.permutation(idx)[:int(round(len(idx) * self.val_ratio))])
        is_val = np.zeros(len(labels), dtype=bool)
        is_val[val] = True
        return np.flatnonzero(is_val if self.subset == 'val' else ~is_val)

    def load_data_list(self) -> List[dict]:
        """Images ``(28, 28, 3)`` uint8 and labels of this split."""
        images_file, labels_file = FILES['test' if self.subset == 'test' else 'trainval']
        with warnings.catch_warnings():  # torch warns that the buffer is read-only
            warnings.simplefilter('ignore', UserWarning)
            images = read_sn3_pascalvincent_tensor(self._idx_file(images_file), strict=False)
            labels = read_sn3_pascalvincent_tensor(self._idx_file(labels_file), strict=False)
        images, labels = images.numpy(), labels.numpy().astype(np.int64)
        if images.ndim != 3 or len(images) != len(labels):
            raise ValueError(f'{self._idx_file(images_file)}: not a Fashion-MNIST image file '
                             f'matching {self._idx_file(labels_file)}.')
        keep = self.split_indices(labels)
        order = range(len(labels)) if keep is None else keep
        return [
            dict(
                img=np.repeat(images[i][..., None], 3, axis=2),
                gt_label=int(labels[i]),
                img_shape=(28, 28),
                ori_shape=(28, 28)) for i in order
        ]
