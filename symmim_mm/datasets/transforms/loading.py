"""Image loading that names the bad file, and turns any common image kind into 3 channels."""
import io
import logging
from typing import Optional, Sequence, Union

import cv2
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine import fileio
from mmengine.logging import print_log
from mmpretrain.registry import TRANSFORMS
from PIL import Image, ImageOps

SIXTEEN_BIT = ('I;16', 'I;16L', 'I;16B', 'I;16N', 'I')
WITH_ALPHA = ('RGBA', 'LA', 'PA', 'RGBa', 'La')
SLOTS = 64  # skip counters: one per data-loading process (main = 0, worker i = i + 1)


class ImageLoadError(ValueError):
    """An image file that cannot be used; the message starts with its path."""


def decode_image(data: bytes, alpha_background: Sequence[int] = (0, 0, 0)) -> np.ndarray:
    """Decode image bytes into an ``(H, W, 3)`` uint8 RGB array.

    Pillow decodes the whole file, so truncated data raise (OpenCV would fill the
    missing rows with grey). EXIF orientation is applied, as OpenCV does. Grayscale
    and palette images are replicated to 3 channels; an alpha channel is composited
    onto ``alpha_background``; 16-bit images are scaled to 8 bits by ``/ 257`` (full
    range, as OpenCV's colour reading keeps the high byte).

    Raises:
        ValueError: The image kind is not supported (floating-point pixels).
        OSError: The data are not an image, or are truncated.
    """
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        img = ImageOps.exif_transpose(img)
    if img.mode in SIXTEEN_BIT:
        pixels = np.asarray(img).astype(np.float64)
        if pixels.max(initial=0) > 65535 or pixels.min(initial=0) < 0:
            raise ValueError(f'{img.mode} pixels outside the 16-bit range are not supported')
        gray = np.round(pixels / 257.).astype(np.uint8)
        return np.repeat(gray[..., None], 3, axis=2)
    if img.mode == 'F':
        raise ValueError('32-bit floating-point images are not supported')
    if img.mode in WITH_ALPHA or (img.mode == 'P' and 'transparency' in img.info):
        rgba = np.asarray(img.convert('RGBA')).astype(np.float32)
        alpha = rgba[..., 3:] / 255.
        background = np.broadcast_to(np.asarray(alpha_background, np.float32), (3, ))
        rgb = rgba[..., :3] * alpha + background * (1. - alpha)
        return np.round(rgb).clip(0, 255).astype(np.uint8)
    return np.asarray(img if img.mode == 'RGB' else img.convert('RGB'))


@TRANSFORMS.register_module()
class RobustLoadImageFromFile(BaseTransform):
    """Load ``results['img_path']`` like ``LoadImageFromFile``, for any common image
    kind, and say which file is bad.

    Grayscale, palette, RGBA and 16-bit files become 3-channel uint8 images (see
    :func:`decode_image`). A missing, truncated, corrupt, unsupported or too small
    file raises an error that starts with its path, or, with ``skip_bad=True``, is
    logged and skipped (the dataset then draws another sample); the skips are
    counted across data-loading workers and ``SkippedImagesHook`` reports the count
    at the end of each epoch.

    Required keys: ``img_path``. Added keys: ``img``, ``img_shape``, ``ori_shape``.

    Args:
        min_size (int): Reject images whose shorter side is below this many pixels.
            Defaults to 1 (keep every image: crops resize tiny ones).
        skip_bad (bool): Skip bad files instead of stopping. Defaults to False.
        alpha_background (int | Sequence[int]): RGB colour under transparent pixels.
            Defaults to 0 (black).
        channel_order (str): ``'bgr'`` (as ``LoadImageFromFile``) or ``'rgb'``.
            Defaults to ``'bgr'``.
        to_float32 (bool): Return a float32 image. Defaults to False.
        backend_args (dict, optional): File backend arguments of
            ``mmengine.fileio.get``. Defaults to None (local files).
    """

    def __init__(self,
                 min_size: int = 1,
                 skip_bad: bool = False,
                 alpha_background: Union[int, Sequence[int]] = 0,
                 channel_order: str = 'bgr',
                 to_float32: bool = False,
                 backend_args: Optional[dict] = None) -> None:
        if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
            raise ValueError(f'`min_size` must be a positive integer, got {min_size!r}.')
        if channel_order not in ('bgr', 'rgb'):
            raise ValueError(f"`channel_order` must be 'bgr' or 'rgb', got {channel_order!r}.")
        background = np.broadcast_to(np.asarray(alpha_background), (3, ))
        if not ((background >= 0) & (background <= 255)).all():
            raise ValueError(f'`alpha_background` must be in [0, 255], got {alpha_background!r}.')
        self.min_size = min_size
        self.skip_bad = bool(skip_bad)
        self.alpha_background = tuple(int(v) for v in background)
        self.channel_order = channel_order
        self.to_float32 = to_float32
        self.backend_args = backend_args
        self._skipped = torch.zeros(SLOTS, dtype=torch.int64).share_memory_()

    def read(self, filename: str) -> np.ndarray:
        """The image of ``filename`` as a writable ``(H, W, 3)`` uint8 array in
        ``channel_order``.

        Raises:
            FileNotFoundError: No such file.
            ImageLoadError: The file is not a usable image; the message names it.
        """
        try:
            data = fileio.get(filename, backend_args=self.backend_args)
        except FileNotFoundError:
            raise FileNotFoundError(f'{filename}: image file not found') from None
        try:
            img = decode_image(data, self.alpha_background)
        except Image.UnidentifiedImageError:
            raise ImageLoadError(f'{filename}: not an image file (unknown format, or an '
                                 'empty or corrupt file)') from None
        except (OSError, SyntaxError, Image.DecompressionBombError) as err:  # Pillow's
            raise ImageLoadError(f'{filename}: cannot be decoded, the file is truncated or '
                                 f'corrupt ({err})') from None
        except ValueError as err:
            raise ImageLoadError(f'{filename}: {err}') from None
        if min(img.shape[:2]) < self.min_size:
            raise ImageLoadError(f'{filename}: {img.shape[1]}x{img.shape[0]} pixels, smaller '
                                 f'than min_size={self.min_size}')
        if self.channel_order == 'bgr':
            return cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
        return img if img.flags.writeable else img.copy()

    def transform(self, results: dict) -> Optional[dict]:
        """Add ``img``, ``img_shape`` and ``ori_shape``; None when a bad file is skipped."""
        filename = results['img_path']
        try:
            img = self.read(filename)
        except (FileNotFoundError, ImageLoadError) as err:
            if not self.skip_bad:
                raise
            self._skipped[self._slot()] += 1
            print_log(f'skipped a bad image: {err}', logger='current', level=logging.WARNING)
            return None
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = results['ori_shape'] = img.shape[:2]
        return results

    @staticmethod
    def _slot() -> int:
        info = torch.utils.data.get_worker_info()
        return 0 if info is None else (info.id + 1) % SLOTS

    def skipped_count(self) -> int:
        """Bad files skipped since the last :meth:`reset_skipped`, in all workers."""
        return int(self._skipped.sum())

    def reset_skipped(self) -> None:
        """Zero the skip counters."""
        self._skipped.zero_()

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(min_size={self.min_size}, '
                f'skip_bad={self.skip_bad}, alpha_background={self.alpha_background}, '
                f"channel_order='{self.channel_order}', to_float32={self.to_float32}, "
                f'backend_args={self.backend_args})')
