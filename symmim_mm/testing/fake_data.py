"""Synthetic ImageNet, COCO and ADE20K in the layouts the configs read, at real image
sizes, to run the full-size configs end to end before the real data is there.

    make_fake_imagenet('data/imagenet', num_train=2560)   # MMPretrain's ImageNet layout
    make_fake_coco('data/coco', num_train=64)             # COCO 2017 instances, 80 classes
    make_fake_ade20k('data/ade/ADEChallengeData2016', num_train=64)

Images are JPEG files that decode like photographs of the same size (see
:func:`~symmim_mm.testing.images.photo_like`); boxes, polygons and label maps are
exact (see :mod:`symmim_mm.testing.tiny_data`).
"""
import os
import os.path as osp
from concurrent.futures import ProcessPoolExecutor
from typing import Dict, List, Tuple

import cv2
import numpy as np

from .images import photo_like
from .tiny_data import make_tiny_ade20k, make_tiny_coco

COCO_SIZE = (480, 640)  # (height, width), the most common COCO image size
ADE_SIZE = (512, 683)  # ADE20K's typical 4:3 image, short side 512
JPEG_QUALITY = 90


def imagenet_like_size(rng: np.random.Generator) -> Tuple[int, int]:
    """``(height, width)`` as ImageNet's: mostly a long side of 500 px, aspect 0.6-1,
    three in four in landscape."""
    long = 500 if rng.random() < 0.8 else int(rng.integers(300, 500))
    short = int(round(long * rng.uniform(0.6, 1.0)))
    return (short, long) if rng.random() < 0.75 else (long, short)


def class_tint(seed: int, label: int) -> np.ndarray:
    """The ``(3, 4, 3)`` colour grid that all images of class ``label`` share."""
    return np.random.default_rng([seed, label]).integers(0, 256, (3, 4, 3), dtype=np.uint8)


def _write_photo(job: Tuple[str, int, int, int, int]) -> None:
    path, seed, split_id, index, label = job
    rng = np.random.default_rng([seed, split_id, index])
    img = photo_like(rng, *imagenet_like_size(rng), tint=class_tint(seed, label))
    if not cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]):
        raise OSError(f'{path}: could not be written')


def make_fake_imagenet(root: str,
                       num_train: int = 1000,
                       num_val: int = 100,
                       num_classes: int = 10,
                       seed: int = 0,
                       processes: int = 1) -> Dict[str, str]:
    """Write ImageNet in MMPretrain's layout under ``root``:

    ``train/<wnid>/<wnid>_<i>.JPEG``, ``val/ILSVRC2012_val_<i>.JPEG`` and
    ``meta/{train,val}.txt`` (``<relative path> <label>`` per line). Images are
    photo-like JPEGs of ImageNet's sizes; each class has its own colours. Classes
    are numbered ``0 .. num_classes - 1`` (wnids ``n00000000``, ...), images are spread
    over them in turn. The same arguments give the same files, whatever ``processes``.

    Args:
        root (str): Output directory (created).
        num_train (int): Training images. Defaults to 1000.
        num_val (int): Validation images. Defaults to 100.
        num_classes (int): Classes used (labels of a 1000-class head). Defaults to 10.
        seed (int): Random seed. Defaults to 0.
        processes (int): Worker processes that draw and encode. Defaults to 1.

    Returns:
        dict[str, str]: ``train`` / ``val`` image directories and ``train_ann`` /
        ``val_ann`` files.
    """
    if not 1 <= num_classes <= 1000:
        raise ValueError(f'`num_classes` must be in [1, 1000], got {num_classes}.')
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    jobs: List[Tuple[str, int, int, int, int]] = []
    paths = {}
    for split_id, (split, num) in enumerate((('train', num_train), ('val', num_val))):
        lines = []
        for i in range(num):
            label = i % num_classes
            wnid = f'n{label:08d}'
            name = f'{wnid}/{wnid}_{i}.JPEG' if split == 'train' else \
                f'ILSVRC2012_val_{i + 1:08d}.JPEG'
            os.makedirs(osp.dirname(osp.join(root, split, name)), exist_ok=True)
            jobs.append((osp.join(root, split, name), seed, split_id, i, label))
            lines.append(f'{name} {label}\n')
        ann_file = osp.join(root, 'meta', f'{split}.txt')
        with open(ann_file, 'w') as f:
            f.writelines(lines)
        paths[split], paths[f'{split}_ann'] = osp.join(root, split), ann_file
    if processes > 1:
        with ProcessPoolExecutor(processes) as pool:
            list(pool.map(_write_photo, jobs, chunksize=32))
    else:
        for job in jobs:
            _write_photo(job)
    return paths


def coco_classes() -> Tuple[str, ...]:
    """The 80 class names of COCO, as MMDetection's ``CocoDataset`` matches them."""
    from mmdet.datasets import CocoDataset
    return tuple(CocoDataset.METAINFO['classes'])


def make_fake_coco(root: str,
                   num_train: int = 16,
                   num_val: int = 4,
                   seed: int = 0) -> Dict[str, str]:
    """COCO 2017 instances (``annotations/instances_{train,val}2017.json``,
    ``{train,val}2017/*.jpg``) with COCO's 80 categories, 640 × 480 photo-like images
    and 1-3 objects each (boxes and polygons). See ``make_tiny_coco``."""
    return make_tiny_coco(
        root,
        num_train,
        num_val,
        img_size=COCO_SIZE,
        seed=seed,
        classes=coco_classes(),
        photo=True)


def make_fake_ade20k(root: str,
                     num_train: int = 16,
                     num_val: int = 4,
                     seed: int = 0) -> Dict[str, str]:
    """ADE20K (``images/`` + ``annotations/`` PNG label maps, ``training`` and
    ``validation``) with 683 × 512 photo-like images. See ``make_tiny_ade20k``."""
    return make_tiny_ade20k(root, num_train, num_val, img_size=ADE_SIZE, seed=seed, photo=True)
