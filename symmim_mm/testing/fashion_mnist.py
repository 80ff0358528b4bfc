"""A tiny data set in Fashion-MNIST's IDX format, drawn with NumPy (for tests)."""
import gzip
import os
import os.path as osp
import struct

import numpy as np

FILES = {
    'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')
}


def write_idx(path: str, array: np.ndarray, compress: bool = False) -> None:
    """Write a uint8 array as an IDX file (magic ``0x0800 | ndim``, big-endian sizes)."""
    sizes = struct.pack(f'>{array.ndim}I', *array.shape)
    header = struct.pack('>HBB', 0, 0x08, array.ndim) + sizes
    opener = gzip.open if compress else open
    with opener(path + ('.gz' if compress else ''), 'wb') as f:
        f.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def make_tiny_fashion_mnist(root: str,
                            num_train: int = 40,
                            num_test: int = 20,
                            compress: bool = False,
                            seed: int = 0) -> str:
    """Write the four Fashion-MNIST IDX files into ``root`` with ``num_train`` /
    ``num_test`` 28×28 images of 10 classes (class ``c``: a bright bar at angle
    ``18° × c`` on noise, so a model can tell them apart). Returns ``root``."""
    rng = np.random.default_rng(seed)
    os.makedirs(root, exist_ok=True)
    yy, xx = np.mgrid[-13.5:14.5, -13.5:14.5]
    for split, num in (('train', num_train), ('test', num_test)):
        labels = np.arange(num) % 10
        rng.shuffle(labels)
        angles = np.deg2rad(18. * labels)[:, None, None]
        dist = np.abs(xx * np.sin(angles) - yy * np.cos(angles))  # distance to the bar's axis
        images = rng.integers(0, 60, (num, 28, 28)) + 190 * (dist < 2.5)
        write_idx(osp.join(root, FILES[split][0]), np.clip(images, 0, 255), compress)
        write_idx(osp.join(root, FILES[split][1]), labels, compress)
    return root
