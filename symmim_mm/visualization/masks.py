"""SymMIM's two masks drawn over an image, with MMPretrain's ``UniversalVisualizer``."""
from typing import List, Optional, Sequence, Tuple

import numpy as np
from matplotlib.figure import Figure
from mmpretrain.structures import DataSample
from mmpretrain.visualization import UniversalVisualizer

from ..datasets import SymmetricMaskGenerator
from .figures import image_row
from .images import fit_image

ONLINE_COLOR = (255, 64, 32)  # M1
MOMENTUM_COLOR = (32, 128, 255)  # M2
MASK_ALPHA = 0.6


def tint_masked(image: np.ndarray,
                mask: np.ndarray,
                color: Sequence[int],
                alpha: float = MASK_ALPHA) -> np.ndarray:
    """``image`` (``(H, W, 3)`` uint8 RGB) with the patches where the ``(h, w)`` patch
    ``mask`` is 1 tinted by ``color`` (``UniversalVisualizer.add_mask_to_image``)."""
    visualizer = UniversalVisualizer(name='symmim_masks')
    return visualizer.add_mask_to_image(
        image,
        DataSample().set_mask(np.asarray(mask)),
        resize=image.shape[1::-1],
        color=tuple(color),
        alpha=alpha)


def mask_panels(image: np.ndarray,
                generator: SymmetricMaskGenerator) -> Tuple[List[np.ndarray], List[str]]:
    """The image (fitted to the generator's ``input_size``), and the image under M1
    (online mask) and under M2 (momentum mask), masked patches tinted.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB, any size.
        generator (SymmetricMaskGenerator): Gives the masks (for
            ``mask_mode='random'`` or ``phase_flip=True``, one draw).

    Returns:
        tuple[list, list]: Three ``(H, W, 3)`` uint8 panels and their titles.
    """
    image = fit_image(image, generator.input_size)
    masks = generator.transform({})
    online, momentum = masks['mask'], masks['momentum_mask']
    return ([
        image,
        tint_masked(image, online, ONLINE_COLOR),
        tint_masked(image, momentum, MOMENTUM_COLOR)
    ], [
        f'image {image.shape[0]}x{image.shape[1]}, patch {generator.patch_size}',
        f'M1 online: {online.mean():.0%} masked',
        f'M2 momentum (k={generator.block}): {momentum.mean():.0%} masked'
    ])


def plot_masks(image: np.ndarray,
               generator: SymmetricMaskGenerator,
               title: Optional[str] = None) -> Figure:
    """A figure of :func:`mask_panels` (three panels, masked patches tinted)."""
    images, titles = mask_panels(image, generator)
    return image_row(images, titles, title)
