"""Small data sets in the real COCO and ADE20K layouts, drawn with OpenCV.

Every image shows a few filled shapes (rectangles, ellipses, triangles) on a
noisy background; boxes, polygons and label maps come from the drawn pixels,
so they are exact. Nothing is downloaded.

    make_tiny_coco(root)     # root/annotations/instances_{train,val}2017.json,
                             # root/{train,val}2017/*.jpg
    make_tiny_ade20k(root)   # root/images/{training,validation}/*.jpg,
                             # root/annotations/{training,validation}/*.png
"""
import json
import os
import os.path as osp
from typing import Dict, Sequence

import cv2
import numpy as np

from .images import SHAPES, Size, random_scene


def mask_to_annotation(mask: np.ndarray) -> dict:
    """COCO ``bbox`` (xywh), ``area`` and polygon ``segmentation`` of a binary mask."""
    ys, xs = np.nonzero(mask)
    x0, y0 = int(xs.min()), int(ys.min())
    bbox = [x0, y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1]
    contours, _ = cv2.findContours(
        mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    polygons = [c.reshape(-1).astype(float).tolist() for c in contours if len(c) >= 3]
    return dict(bbox=bbox, area=int(mask.sum()), segmentation=polygons, iscrowd=0)


def make_tiny_coco(root: str,
                   num_train: int = 4,
                   num_val: int = 2,
                   img_size: Size = 128,
                   seed: int = 0,
                   classes: Sequence[str] = SHAPES,
                   photo: bool = False) -> Dict[str, str]:
    """Write a COCO-format instance segmentation set under ``root``.

    Args:
        root (str): Output directory (created).
        num_train (int): Training images. Defaults to 4.
        num_val (int): Validation images. Defaults to 2.
        img_size (int | tuple[int, int]): Image side, or ``(height, width)``.
            Defaults to 128.
        seed (int): Random seed. Defaults to 0.
        classes (Sequence[str]): Category names (ids 1, 2, ...); object ``i`` of
            class ``c`` is drawn as ``SHAPES[c % 3]``. Defaults to ``SHAPES``.
        photo (bool): Photo-like backgrounds (see ``random_scene``). Defaults to
            False.

    Returns:
        dict[str, str]: Paths of ``train_ann`` / ``val_ann`` files and
        ``train_img`` / ``val_img`` directories.
    """
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    categories = [
        dict(id=i + 1, name=name, supercategory='shape') for i, name in enumerate(classes)
    ]
    paths, ann_id = {}, 1
    for split, num in (('train', num_train), ('val', num_val)):
        img_dir = osp.join(root, f'{split}2017')
        os.makedirs(img_dir, exist_ok=True)
        images, annotations = [], []
        for i in range(num):
            img, objects = random_scene(rng, img_size, num_labels=len(classes), photo=photo)
            image_id = i + 1
            file_name = f'{image_id:012d}.jpg'
            cv2.imwrite(osp.join(img_dir, file_name), img)
            images.append(
                dict(id=image_id, file_name=file_name, height=img.shape[0], width=img.shape[1]))
            for label, mask in objects:
                annotations.append(
                    dict(
                        id=ann_id,
                        image_id=image_id,
                        category_id=label + 1,
                        **mask_to_annotation(mask)))
                ann_id += 1
        ann_file = osp.join(root, 'annotations', f'instances_{split}2017.json')
        with open(ann_file, 'w') as f:
            json.dump(dict(images=images, annotations=annotations, categories=categories), f)
        paths[f'{split}_ann'], paths[f'{split}_img'] = ann_file, img_dir
    return paths


def make_tiny_ade20k(root: str,
                     num_train: int = 4,
                     num_val: int = 2,
                     img_size: Size = 64,
                     seed: int = 0,
                     photo: bool = False) -> Dict[str, str]:
    """Write an ADE20K-layout semantic segmentation set under ``root``.

    Label maps are PNGs with ADE20K's convention: 0 = "other" (ignored once
    ``reduce_zero_label`` shifts the labels), 1 = background class, and
    ``2 + i`` for shape ``SHAPES[i]``.

    Args:
        root (str): Output directory (created).
        num_train (int): Training images. Defaults to 4.
        num_val (int): Validation images. Defaults to 2.
        img_size (int | tuple[int, int]): Image side, or ``(height, width)``.
            Defaults to 64.
        seed (int): Random seed. Defaults to 0.
        photo (bool): Photo-like backgrounds (see ``random_scene``). Defaults to
            False.

    Returns:
        dict[str, str]: ``{split}_img`` / ``{split}_ann`` directories for
        ``training`` and ``validation``.
    """
    rng = np.random.default_rng(seed)
    paths = {}
    for split, prefix, num in (('training', 'ADE_train', num_train), ('validation', 'ADE_val',
                                                                      num_val)):
        img_dir = osp.join(root, 'images', split)
        ann_dir = osp.join(root, 'annotations', split)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(ann_dir, exist_ok=True)
        for i in range(num):
            img, objects = random_scene(rng, img_size, photo=photo)
            label_map = np.ones(img.shape[:2], np.uint8)
            label_map[:2] = 0  # an "other" strip along the top
            for label, mask in objects:
                label_map[mask > 0] = label + 2
            name = f'{prefix}_{i + 1:08d}'
            cv2.imwrite(osp.join(img_dir, name + '.jpg'), img)
            cv2.imwrite(osp.join(ann_dir, name + '.png'), label_map)
        paths[f'{split}_img'], paths[f'{split}_ann'] = img_dir, ann_dir
    return paths
