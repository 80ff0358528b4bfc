"""MMPretrain's RandomResizedCrop with a faster resize of Pillow's antialiased kind."""
from typing import Sequence, Tuple, Union

import cv2
import mmcv
import numpy as np
import torch
import torch.nn.functional as F
from mmpretrain.datasets.transforms import RandomResizedCrop
from mmpretrain.registry import TRANSFORMS


def antialiased_resize(img: np.ndarray,
                       size: Tuple[int, int],
                       interpolation: str = 'bicubic') -> np.ndarray:
    """Resize a uint8 ``(H, W[, C])`` image to ``size = (height, width)`` with torch's
    antialiased ``interpolate``, the filter of Pillow's ``Image.resize`` (support
    widened by the downscaling factor; bicubic with ``a = -0.5``).

    uint8 channels-last input takes torch's vectorised integer path: on one thread
    about 5 × faster than MMCV's Pillow resize, every pixel within 3 of Pillow's (the
    mean within 0.05; integer rounding of the same filter)."""
    if img.dtype != np.uint8:
        raise TypeError(f'antialiased_resize takes uint8 images, got {img.dtype}.')
    x = torch.from_numpy(np.ascontiguousarray(img))
    x = (x[..., None] if x.ndim == 2 else x).permute(2, 0, 1)[None]  # channels last
    y = F.interpolate(x, size=tuple(size), mode=interpolation, antialias=True, align_corners=False)
    planes = y[0].numpy()  # (C, h, w): torch returns planes, cv2.merge interleaves fast
    if img.ndim == 2:
        return planes[0]
    return cv2.merge(list(planes)).reshape(*planes.shape[1:], planes.shape[0])


@TRANSFORMS.register_module()
class FastRandomResizedCrop(RandomResizedCrop):
    """MMPretrain's ``RandomResizedCrop`` (the same crop sampling, same random draws)
    whose resize is :func:`antialiased_resize` instead of ``mmcv.imresize``.

    With ``interpolation='bicubic'`` it stands in for ``RandomResizedCrop(...,
    backend='pillow', interpolation='bicubic')``: the same crops, pixels within 3 of
    Pillow's, the resize about 5 × faster (``tools/benchmarks/data_speed.py``).

    Args:
        scale (Sequence | int): Output ``(h, w)``, or one side of a square.
        crop_ratio_range (tuple): Range of the crop's area, as a fraction of the
            image's. Defaults to (0.08, 1.0).
        aspect_ratio_range (tuple): Range of the crop's aspect ratio. Defaults to
            (3 / 4, 4 / 3).
        max_attempts (int): Draws before the central-crop fallback. Defaults to 10.
        interpolation (str): ``'bicubic'`` or ``'bilinear'`` (both antialiased).
            Defaults to ``'bicubic'``.
    """

    def __init__(self,
                 scale: Union[Sequence, int],
                 crop_ratio_range: Tuple[float, float] = (0.08, 1.0),
                 aspect_ratio_range: Tuple[float, float] = (3. / 4., 4. / 3.),
                 max_attempts: int = 10,
                 interpolation: str = 'bicubic') -> None:
        if interpolation not in ('bicubic', 'bilinear'):
            raise ValueError("FastRandomResizedCrop's interpolation is 'bicubic' or "
                             f"'bilinear', got {interpolation!r}.")
        super().__init__(scale, crop_ratio_range, aspect_ratio_range, max_attempts, interpolation)

    def transform(self, results: dict) -> dict:
        """Crop as ``RandomResizedCrop`` does, then resize to ``scale``."""
        img = results['img']
        offset_h, offset_w, target_h, target_w = self.rand_crop_params(img)
        img = mmcv.imcrop(
            img,
            bboxes=np.array([offset_w, offset_h, offset_w + target_w - 1,
                             offset_h + target_h - 1]))
        img = antialiased_resize(img, self.scale, self.interpolation)
        results['img'] = img
        results['img_shape'] = img.shape
        return results
