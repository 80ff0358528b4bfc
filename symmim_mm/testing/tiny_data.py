"""Tiny data sets in the real COCO and ADE20K layouts, drawn with OpenCV.

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
from typing import Dict, List, Tuple

import cv2
import numpy as np

SHAPES = ('rectangle', 'ellipse', 'triangle')
COLORS = ((40, 40, 220), (40, 200, 40), (220, 120, 30))  # BGR, one per shape


def draw_shape(shape: str, size: Tuple[int, int], box: Tuple[int, int, int, int]) -> np.ndarray:
    """Binary mask ``(H, W)`` of one filled shape inscribed in ``box = (x0, y0, x1, y1)``."""
    mask = np.zeros(size, np.uint8)
    x0, y0, x1, y1 = box
    if shape == 'rectangle':
        cv2.rectangle(mask, (x0, y0), (x1, y1), 1, thickness=-1)
    elif shape == 'ellipse':
        center, axes = ((x0 + x1) // 2, (y0 + y1) // 2), ((x1 - x0) // 2, (y1 - y0) // 2)
        cv2.ellipse(mask, center, axes, 0, 0, 360, 1, thickness=-1)
    elif shape == 'triangle':
        pts = np.array([[(x0 + x1) // 2, y0], [x0, y1], [x1, y1]], np.int32)
        cv2.fillPoly(mask, [pts], 1)
    else:
        raise ValueError(f'Unknown shape {shape!r}; choose from {SHAPES}.')
    return mask


def random_scene(rng: np.random.Generator, size: int,
                 max_shapes: int = 3) -> Tuple[np.ndarray, List[Tuple[int, np.ndarray]]]:
    """A noisy ``size`` × ``size`` BGR image with 1..max_shapes non-overlapping shapes.

    Returns:
        tuple: the image ``(H, W, 3)`` uint8 and ``[(shape index, mask), ...]``.
    """
    img = rng.integers(90, 160, (size, size, 3), dtype=np.uint8)
    cells = size // 2  # one shape per quadrant, so shapes never overlap
    quadrants = rng.permutation(4)[:rng.integers(1, max_shapes + 1)]
    objects = []
    for q in quadrants:
        cx, cy = (q % 2) * cells, (q // 2) * cells
        w, h = rng.integers(cells // 2, cells - 2, size=2)
        x0, y0 = cx + rng.integers(1, cells - w), cy + rng.integers(1, cells - h)
        label = int(rng.integers(len(SHAPES)))
        mask = draw_shape(SHAPES[label], (size, size), (x0, y0, x0 + w - 1, y0 + h - 1))
        img[mask > 0] = COLORS[label]
        objects.append((label, mask))
    return img, objects


def mask_to_annotation(mask: np.ndarray) -> dict:
    """COCO ``bbox`` (xywh), ``area`` and polygon ``segmentation`` of a binary mask."""
    ys, xs = np.nonzero(mask)
    x0, y0 = int(xs.min()), int(ys.min())
    bbox = [x0, y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1]
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    polygons = [c.reshape(-1).astype(float).tolist() for c in contours if len(c) >= 3]
    return dict(bbox=bbox, area=int(mask.sum()), segmentation=polygons, iscrowd=0)


def make_tiny_coco(root: str, num_train: int = 4, num_val: int = 2, img_size: int = 128,
                   seed: int = 0) -> Dict[str, str]:
    """Write a COCO-format instance segmentation set under ``root``.

    Args:
        root (str): Output directory (created).
        num_train (int): Training images. Defaults to 4.
        num_val (int): Validation images. Defaults to 2.
        img_size (int): Image side. Defaults to 128.
        seed (int): Random seed. Defaults to 0.

    Returns:
        dict[str, str]: Paths of ``train_ann`` / ``val_ann`` files and
        ``train_img`` / ``val_img`` directories.
    """
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    categories = [dict(id=i + 1, name=name, supercategory='shape')
                  for i, name in enumerate(SHAPES)]
    paths, ann_id = {}, 1
    for split, num in (('train', num_train), ('val', num_val)):
        img_dir = osp.join(root, f'{split}2017')
        os.makedirs(img_dir, exist_ok=True)
        images, annotations = [], []
        for i in range(num):
            img, objects = random_scene(rng, img_size)
            image_id = i + 1
            file_name = f'{image_id:012d}.jpg'
            cv2.imwrite(osp.join(img_dir, file_name), img)
            images.append(dict(id=image_id, file_name=file_name, height=img_size,
                               width=img_size))
            for label, mask in objects:
                annotations.append(dict(id=ann_id, image_id=image_id, category_id=label + 1,
                                        **mask_to_annotation(mask)))
                ann_id += 1
        ann_file = osp.join(root, 'annotations', f'instances_{split}2017.json')
        with open(ann_file, 'w') as f:
            json.dump(dict(images=images, annotations=annotations, categories=categories), f)
        paths[f'{split}_ann'], paths[f'{split}_img'] = ann_file, img_dir
    return paths


def make_tiny_ade20k(root: str, num_train: int = 4, num_val: int = 2, img_size: int = 64,
                     seed: int = 0) -> Dict[str, str]:
    """Write an ADE20K-layout semantic segmentation set under ``root``.

    Label maps are PNGs with ADE20K's convention: 0 = "other" (ignored once
    ``reduce_zero_label`` shifts the labels), 1 = background class, and
    ``2 + i`` for shape ``SHAPES[i]``.

    Args:
        root (str): Output directory (created).
        num_train (int): Training images. Defaults to 4.
        num_val (int): Validation images. Defaults to 2.
        img_size (int): Image side. Defaults to 64.
        seed (int): Random seed. Defaults to 0.

    Returns:
        dict[str, str]: ``{split}_img`` / ``{split}_ann`` directories for
        ``training`` and ``validation``.
    """
    rng = np.random.default_rng(seed)
    paths = {}
    for split, prefix, num in (('training', 'ADE_train', num_train),
                               ('validation', 'ADE_val', num_val)):
        img_dir = osp.join(root, 'images', split)
        ann_dir = osp.join(root, 'annotations', split)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(ann_dir, exist_ok=True)
        for i in range(num):
            img, objects = random_scene(rng, img_size)
            label_map = np.ones((img_size, img_size), np.uint8)
            label_map[:2] = 0  # an "other" strip along the top
            for label, mask in objects:
                label_map[mask > 0] = label + 2
            name = f'{prefix}_{i + 1:08d}'
            cv2.imwrite(osp.join(img_dir, name + '.jpg'), img)
            cv2.imwrite(osp.join(ann_dir, name + '.png'), label_map)
        paths[f'{split}_img'], paths[f'{split}_ann'] = img_dir, ann_dir
    return paths
