"""Input images for the visualisers: a file, or a sample of the bundled digits."""
from typing import Sequence, Union

import cv2
import numpy as np

from ..datasets import Digits, decode_image


def load_image(path: str) -> np.ndarray:
    """An image file of any common kind as ``(H, W, 3)`` uint8 RGB (see
    :func:`symmim_mm.datasets.decode_image`)."""
    with open(path, 'rb') as f:
        return decode_image(f.read())


def digits_sample(index: int = 0, img_size: int = 32, split: str = 'train') -> np.ndarray:
    """Sample ``index`` of the bundled handwritten digits as ``(H, W, 3)`` uint8."""
    dataset = Digits(split=split, img_size=img_size, pipeline=[])
    if not 0 <= index < len(dataset):
        raise IndexError(f'digits {split} sample {index} does not exist '
                         f'(0..{len(dataset) - 1}).')
    return dataset.get_data_info(index)['img']


def fit_image(image: np.ndarray, size: Union[int, Sequence[int]]) -> np.ndarray:
    """Resize ``image`` so that it covers ``size = (H, W)``, then crop the centre."""
    height, width = (size, size) if isinstance(size, int) else tuple(size)
    h, w = image.shape[:2]
    scale = max(height / h, width / w)
    new_h, new_w = max(height, round(h * scale)), max(width, round(w * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
    top, left = (new_h - height) // 2, (new_w - width) // 2
    return np.ascontiguousarray(resized[top:top + height, left:left + width])
