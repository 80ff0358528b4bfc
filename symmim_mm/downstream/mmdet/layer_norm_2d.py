"""LayerNorm over the channels of an NCHW map (the norm of ViTDet's pyramid and heads)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.registry import MODELS


@MODELS.register_module()
class ViTDetLN2d(nn.LayerNorm):
    """Channels-first LayerNorm: normalises each pixel's ``C`` values of a
    ``(N, C, H, W)`` map, with a per-channel affine.

    Use it as ``norm_cfg=dict(type='ViTDetLN2d')`` in MMDetection modules.

    Args:
        num_channels (int): ``C``.
        eps (float): Added to the variance. Defaults to 1e-6.
        elementwise_affine (bool): Learn a per-channel scale and shift.
            Defaults to True.
    """

    def __init__(self, num_channels: int, eps: float = 1e-6,
                 elementwise_affine: bool = True) -> None:
        super().__init__(num_channels, eps=eps, elementwise_affine=elementwise_affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)  # (N, H, W, C)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2).contiguous()  # (N, C, H, W)
