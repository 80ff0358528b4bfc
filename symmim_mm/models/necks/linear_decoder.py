"""SimMIM's linear decoder behind the token-decoder contract of SymMIM."""
import math

import torch
from mmpretrain.models import SimMIMLinearDecoder
from mmpretrain.registry import MODELS


@MODELS.register_module()
class SymMIMLinearDecoder(SimMIMLinearDecoder):
    """MMPretrain's :class:`SimMIMLinearDecoder` (1×1 conv to ``p²·3`` channels,
    ``PixelShuffle(p)``; the same parameters) with the interface of
    ``MAEPretrainDecoder``: tokens and ``ids_restore`` in, per-patch pixels
    ``(B, L, p²·3)`` out, in ``MAEPretrainHead.patchify``'s order, so that one
    head (``MAEPretrainHead``) serves either decoder.

    A linear map has no attention to fill holes with: it needs a token at every
    position (mask tokens in place, ``online_drop_masked=False``) on a square grid.

    Args:
        in_channels (int): Width of the encoder tokens.
        encoder_stride (int): Patch size ``p`` of the encoder.
    """

    def __init__(self, in_channels: int, encoder_stride: int) -> None:
        super().__init__(in_channels=in_channels, encoder_stride=encoder_stride)
        self.patch_size = encoder_stride

    def forward(self, x: torch.Tensor, ids_restore: torch.Tensor) -> torch.Tensor:
        """Pixels of every patch.

        Args:
            x (Tensor): Tokens ``(B, 1 + L, C)``, CLS first, then every patch in
                raster order.
            ids_restore (Tensor): ``(B, L)``; only its length is used, as every
                position is already in place.

        Returns:
            Tensor: ``(B, L, p²·3)``.
        """
        B, N, C = x.shape
        L, h = ids_restore.shape[1], math.isqrt(ids_restore.shape[1])
        if N != 1 + L or h * h != L:
            raise ValueError(f'SymMIMLinearDecoder needs a token at each of a square grid of '
                             f'{L} patches (mask tokens in place, online_drop_masked=False), '
                             f'got {N - 1} patch tokens.')
        image = super().forward(x[:, 1:].transpose(1, 2).reshape(B, C, h, h))  # (B, 3, H, W)
        p = self.patch_size
        patches = image.reshape(B, 3, h, p, h, p).permute(0, 2, 4, 3, 5, 1)  # (B, h, w, p, p, 3)
        return patches.reshape(B, L, p * p * 3)
