"""Synthetic pictures: photo-like backgrounds and filled shapes with exact masks."""
from typing import List, Optional, Tuple, Union

import cv2
import numpy as np

SHAPES = ('rectangle', 'ellipse', 'triangle')
COLORS = ((40, 40, 220), (40, 200, 40), (220, 120, 30))  # BGR, one per shape

Size = Union[int, Tuple[int, int]]  # a side, or (height, width)


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


def photo_like(rng: np.random.Generator,
               height: int,
               width: int,
               tint: Optional[np.ndarray] = None,
               noise: int = 24) -> np.ndarray:
    """A BGR uint8 image ``(height, width, 3)`` that compresses like a photograph.

    Smooth colour regions (a coarse random grid, upsampled), mid-frequency detail and
    per-pixel noise of ``±noise``: a 500 × 375 image saved as JPEG at quality 90 takes
    about 100 KB, near ImageNet's average file, so decoding it costs what decoding a
    real photo does.

    Args:
        rng (np.random.Generator): Random source.
        height (int): Image height.
        width (int): Image width.
        tint (np.ndarray, optional): A ``(3, 4, 3)`` uint8 colour grid for the smooth
            part (e.g. one per class). Defaults to None (random).
        noise (int): Amplitude of the per-pixel noise. Defaults to 24.
    """
    grid = rng.integers(0, 256, (3, 4, 3), dtype=np.uint8) if tint is None else tint
    smooth = cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
    detail = rng.integers(0, 256, (max(height // 6, 1), max(width // 6, 1), 3), dtype=np.uint8)
    img = cv2.addWeighted(smooth, 0.6, cv2.resize(detail, (width, height)), 0.4, 0)
    img = cv2.add(img, rng.integers(0, 2 * noise + 1, img.shape, dtype=np.uint8))
    return cv2.subtract(img, np.full_like(img, noise))


def random_scene(rng: np.random.Generator,
                 size: Size,
                 max_shapes: int = 3,
                 num_labels: int = len(SHAPES),
                 photo: bool = False) -> Tuple[np.ndarray, List[Tuple[int, np.ndarray]]]:
    """A BGR image with 1..max_shapes non-overlapping shapes, one per quadrant at most.

    Object ``label`` is drawn in ``[0, num_labels)``; its shape and colour are
    ``SHAPES[label % 3]`` and ``COLORS[label % 3]``.

    Args:
        rng (np.random.Generator): Random source.
        size (int | tuple[int, int]): Side, or ``(height, width)``.
        max_shapes (int): At most this many shapes (≤ 4). Defaults to 3.
        num_labels (int): Number of object classes. Defaults to ``len(SHAPES)``.
        photo (bool): A :func:`photo_like` background instead of uniform grey noise.
            Defaults to False.

    Returns:
        tuple: the image ``(H, W, 3)`` uint8 and ``[(label, mask (H, W)), ...]``.
    """
    height, width = (size, size) if isinstance(size, int) else size
    if photo:
        img = photo_like(rng, height, width)
    else:
        img = rng.integers(90, 160, (height, width, 3), dtype=np.uint8)
    cell_h, cell_w = height // 2, width // 2  # one shape per quadrant: no overlaps
    quadrants = rng.permutation(4)[:rng.integers(1, max_shapes + 1)]
    objects = []
    for q in quadrants:
        cx, cy = (q % 2) * cell_w, (q // 2) * cell_h
        w, h = rng.integers((cell_w // 2, cell_h // 2), (cell_w - 2, cell_h - 2))
        x0, y0 = cx + rng.integers(1, cell_w - w), cy + rng.integers(1, cell_h - h)
        label = int(rng.integers(num_labels))
        mask = draw_shape(SHAPES[label % len(SHAPES)], (height, width),
                          (x0, y0, x0 + w - 1, y0 + h - 1))
        img[mask > 0] = COLORS[label % len(SHAPES)]
        objects.append((label, mask))
    return img, objects
