"""Simple feature pyramid from a plain ViT's single map (ViTDet)."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule, build_norm_layer
from mmdet.registry import MODELS
from mmengine.model import BaseModule


@MODELS.register_module()
class ViTDetSimpleFPN(BaseModule):
    """The simple feature pyramid of `Exploring Plain Vision Transformer Backbones
    for Object Detection <https://arxiv.org/abs/2203.16527>`_ (ViTDet).

    From the last backbone map (stride ``s``, ``backbone_channel`` wide) it makes
    four scales, stride ``s/4``, ``s/2``, ``s``, ``2s``: two stride-2 deconvs
    (norm + GELU between them), one deconv, identity, 2×2 max-pool. Each scale
    goes through a 1×1 lateral conv and a 3×3 output conv (both with norm, no
    activation); further levels, up to ``num_outs``, are stride-2 subsamplings
    of the coarsest one (a 1×1 max-pool, as FPN's extra level).

    Args:
        backbone_channel (int): Channels of the backbone map.
        in_channels (Sequence[int]): Channels of the four scales, finest first:
            ``[C/4, C/2, C, C]`` for ``C = backbone_channel``.
        out_channels (int): Channels of every output level.
        num_outs (int): Number of output levels (>= 4). Defaults to 5.
        conv_cfg (dict, optional): Conv config of the 1×1 / 3×3 convs.
            Defaults to None.
        norm_cfg (dict, optional): Norm config, e.g. MMPretrain's channels-first
            LayerNorm ``dict(type='mmpretrain.LN2d', eps=1e-6)``.
            Defaults to None.
        act_cfg (dict, optional): Activation after the 1×1 / 3×3 convs.
            Defaults to None.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 backbone_channel: int,
                 in_channels: Sequence[int],
                 out_channels: int,
                 num_outs: int = 5,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = None,
                 act_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        c = backbone_channel
        expected = [c // 4, c // 2, c, c]
        if list(in_channels) != expected:
            raise ValueError(f'in_channels must be {expected} for backbone_channel={c}, '
                             f'got {list(in_channels)}.')
        if num_outs < 4:
            raise ValueError(f'num_outs must be >= 4, got {num_outs}.')
        self.num_outs = num_outs

        self.up4 = nn.Sequential(  # stride s/4
            nn.ConvTranspose2d(c, c // 2, 2, stride=2),
            build_norm_layer(norm_cfg, c // 2)[1] if norm_cfg else nn.Identity(), nn.GELU(),
            nn.ConvTranspose2d(c // 2, c // 4, 2, stride=2))
        self.up2 = nn.ConvTranspose2d(c, c // 2, 2, stride=2)  # stride s/2
        self.down2 = nn.MaxPool2d(kernel_size=2, stride=2)  # stride 2s

        conv = dict(conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg, inplace=False)
        self.lateral_convs = nn.ModuleList(
            ConvModule(ch, out_channels, 1, **conv) for ch in in_channels)
        self.fpn_convs = nn.ModuleList(
            ConvModule(out_channels, out_channels, 3, padding=1, **conv) for _ in in_channels)

    def forward(self, inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor, ...]:
        """Build the pyramid.

        Args:
            inputs (Sequence[Tensor]): Backbone outputs; the last, ``(N, C, h, w)``,
                is used.

        Returns:
            tuple[Tensor]: ``num_outs`` maps ``(N, out_channels, h·4/2^i, w·4/2^i)``.
        """
        x = inputs[-1]  # (N, C, h, w)
        scales: List[torch.Tensor] = [self.up4(x), self.up2(x), x, self.down2(x)]
        outs = [
            fpn(lateral(f)) for f, lateral, fpn in zip(scales, self.lateral_convs, self.fpn_convs)
        ]
        while len(outs) < self.num_outs:
            outs.append(F.max_pool2d(outs[-1], kernel_size=1, stride=2))
        return tuple(outs)
