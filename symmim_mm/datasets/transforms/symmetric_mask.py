"""Symmetric (checkerboard) masks of SymMIM for the online and momentum encoders."""
from typing import Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

MASK_MODES = ('symmetric', 'random')


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f'`{name}` must be a positive integer, got {value!r}.')
    return int(value)


def checkerboard(grid: Tuple[int, int], cell: int = 1) -> np.ndarray:
    """Checkerboard ``(⌊i/cell⌋ + ⌊j/cell⌋) mod 2`` on a ``grid`` of patches.

    Args:
        grid (tuple[int, int]): Patch grid ``(h, w)``.
        cell (int): Side of one checkerboard square, in patches. ``1`` gives the
            fine mask M1; ``block_size // patch_size`` gives the block mask M2.
            Squares cut by the grid's edge stay partial. Defaults to 1.

    Returns:
        np.ndarray: ``(h, w)`` uint8 array, 1 = masked.
    """
    rows = np.arange(grid[0])[:, None] // cell
    cols = np.arange(grid[1])[None, :] // cell
    return ((rows + cols) % 2).astype(np.uint8)


@TRANSFORMS.register_module()
class SymmetricMaskGenerator(BaseTransform):
    """Generate the two masks of `SymMIM <https://arxiv.org/abs/2408.12772>`_.

    On the patch grid (``i`` row, ``j`` column, 1 = masked):

    - ``results['mask']``: online mask ``M1(i, j) = (i + j) mod 2``;
    - ``results['momentum_mask']``: momentum mask
      ``M2(i, j) = (⌊i/k⌋ + ⌊j/k⌋) mod 2`` with ``k = block_size // patch_size``.

    Both are ``(H / patch_size, W / patch_size)`` uint8 arrays. Place this transform
    after any crop/resize (and after ``MultiView``, which drops other keys) and
    list ``'momentum_mask'`` in ``PackInputs(algorithm_keys=...)``.

    Args:
        input_size (int | tuple[int, int]): Image size ``(H, W)`` fed to the model.
            Must be divisible by ``patch_size``. Defaults to 224.
        patch_size (int): ViT patch size in pixels. Defaults to 16.
        block_size (int): Side of one M2 checkerboard square in pixels; a positive
            multiple of ``patch_size``. It need not divide the image: edge blocks
            are partial. Defaults to 32.
        phase_flip (bool): If True, each mask of a sample is replaced by its
            complement ``1 - M`` with probability 0.5 (one coin per mask).
            Defaults to False.
        mask_mode (str): ``'symmetric'`` (the method) or ``'random'`` (ablation:
            M1 masks a random ``mask_ratio`` of patches, M2 a random
            ``mask_ratio`` of ``block_size`` blocks, new for every sample).
            Defaults to ``'symmetric'``.
        mask_ratio (float): Fraction masked in ``'random'`` mode, in (0, 1).
            Defaults to 0.5.
    """

    def __init__(self,
                 input_size: Union[int, Sequence[int]] = 224,
                 patch_size: int = 16,
                 block_size: int = 32,
                 phase_flip: bool = False,
                 mask_mode: str = 'symmetric',
                 mask_ratio: float = 0.5) -> None:
        size = (input_size, input_size) if isinstance(input_size, (int, np.integer)) \
            else tuple(input_size)
        if len(size) != 2:
            raise ValueError(f'`input_size` must be an int or (H, W), got {input_size!r}.')
        self.input_size = tuple(_positive_int('input_size', s) for s in size)
        self.patch_size = _positive_int('patch_size', patch_size)
        self.block_size = _positive_int('block_size', block_size)
        if any(s % self.patch_size for s in self.input_size):
            raise ValueError(f'`input_size` {self.input_size} is not divisible by '
                             f'`patch_size` {self.patch_size}.')
        if self.block_size < self.patch_size or self.block_size % self.patch_size:
            raise ValueError(f'`block_size` ({self.block_size}) must be a multiple of '
                             f'`patch_size` ({self.patch_size}).')
        if mask_mode not in MASK_MODES:
            raise ValueError(f'`mask_mode` must be one of {MASK_MODES}, got {mask_mode!r}.')
        if not 0. < float(mask_ratio) < 1.:
            raise ValueError(f'`mask_ratio` must be in (0, 1), got {mask_ratio!r}.')
        self.phase_flip = bool(phase_flip)
        self.mask_mode = mask_mode
        self.mask_ratio = float(mask_ratio)

        self.grid = (self.input_size[0] // self.patch_size, self.input_size[1] // self.patch_size)
        self.block = self.block_size // self.patch_size  # k
        # The symmetric masks are fixed: computed once, copied per sample.
        self.online_mask = checkerboard(self.grid, 1)
        self.block_mask = checkerboard(self.grid, self.block)

    def _random_mask(self, cell: int) -> np.ndarray:
        """Random mask of ``mask_ratio`` of the ``cell``×``cell`` squares of the grid."""
        cells = (-(-self.grid[0] // cell), -(-self.grid[1] // cell))
        num = cells[0] * cells[1]
        flat = np.zeros(num, dtype=np.uint8)
        flat[np.random.permutation(num)[:int(round(num * self.mask_ratio))]] = 1
        full = flat.reshape(cells).repeat(cell, 0).repeat(cell, 1)
        return np.ascontiguousarray(full[:self.grid[0], :self.grid[1]])

    def _maybe_flip(self, mask: np.ndarray) -> np.ndarray:
        if self.phase_flip and np.random.rand() < 0.5:
            return 1 - mask
        return mask

    def transform(self, results: dict) -> dict:
        """Write ``mask`` (M1) and ``momentum_mask`` (M2) into ``results``."""
        if self.mask_mode == 'symmetric':
            online, momentum = self.online_mask.copy(), self.block_mask.copy()
        else:
            online, momentum = self._random_mask(1), self._random_mask(self.block)
        results['mask'] = self._maybe_flip(online)
        results['momentum_mask'] = self._maybe_flip(momentum)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(input_size={self.input_size}, '
                f'patch_size={self.patch_size}, block_size={self.block_size}, '
                f'phase_flip={self.phase_flip}, mask_mode={self.mask_mode!r}, '
                f'mask_ratio={self.mask_ratio})')
