"""Rows of image panels, drawn on MMPretrain's stand-alone figures and saved as PNG."""
import os
import os.path as osp
from typing import Optional, Sequence, Tuple

import numpy as np
from matplotlib.figure import Figure
from mmpretrain.visualization import create_figure

PANEL_INCHES = 2.5  # side of one image panel
DPI = 100


def image_row(images: Sequence[np.ndarray],
              titles: Sequence[str],
              suptitle: Optional[str] = None) -> Figure:
    """One row of image panels (``(H, W, 3)`` uint8 RGB), each titled, axes off.

    Args:
        images (Sequence[np.ndarray]): The panels, left to right.
        titles (Sequence[str]): One title per panel.
        suptitle (str, optional): A title over the row. Defaults to None.
    """
    if len(images) != len(titles):
        raise ValueError(f'{len(images)} images but {len(titles)} titles.')
    fig = create_figure(
        figsize=(PANEL_INCHES * len(images), PANEL_INCHES + 0.6), dpi=DPI, margin=True)
    for i, (img, title) in enumerate(zip(images, titles)):
        ax = fig.add_subplot(1, len(images), i + 1)
        ax.imshow(img, interpolation='nearest')
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: str) -> Tuple[int, int]:
    """Write ``fig`` as a PNG (folders created) and return its ``(width, height)`` in
    pixels."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, format='png', dpi=fig.dpi)
    width, height = fig.get_size_inches() * fig.dpi
    return int(round(width)), int(round(height))


def upsample_mask(mask: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
    """A ``(h, w)`` patch mask repeated to ``size = (H, W)`` pixels."""
    mask = np.asarray(mask)
    ph, pw = size[0] // mask.shape[0], size[1] // mask.shape[1]
    if ph * mask.shape[0] != size[0] or pw * mask.shape[1] != size[1]:
        raise ValueError(f'image size {size} is not a multiple of the mask grid '
                         f'{mask.shape}.')
    return mask.repeat(ph, 0).repeat(pw, 1)
