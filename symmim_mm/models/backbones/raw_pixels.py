"""The input pixels as features: the floor a learned encoder has to beat."""
from typing import Optional, Tuple

import torch
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class RawPixels(BaseModule):
    """A parameter-free backbone that returns the (normalised) input image,
    flattened: ``(B, C, H, W) -> ((B, C·H·W),)``.

    Probed like an encoder (kNN, a linear probe with the same recipe), it gives the
    score of the pixels themselves, below which a pretrained encoder has learned
    nothing a classifier could not read off the input.

    Args:
        channels (int, optional): Keep only the first ``channels`` channels (1 for
            grey images repeated over three). Defaults to None (all).
        init_cfg (dict, optional): Unused (nothing to initialise). Defaults to None.
    """

    def __init__(self, channels: Optional[int] = None, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.channels = channels

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        if self.channels is not None:
            x = x[:, :self.channels]
        return (x.flatten(1), )
