"""Plain ViT backbone for detection (ViTDet) that loads SymMIM encoders as they are."""
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmdet.registry import MODELS
from mmengine.model import ModuleList
from mmpretrain.models import VisionTransformer
from mmpretrain.models.utils import resize_pos_embed

from ..convert import StrictPretrainedMixin
from .window_attention import ViTDetLayer


@MODELS.register_module()
class SymMIMViTDet(StrictPretrainedMixin, VisionTransformer):
    """ViT of `Exploring Plain Vision Transformer Backbones for Object Detection
    <https://arxiv.org/abs/2203.16527>`_ (ViTDet) with MMPretrain's parameter names.

    Blocks attend inside ``window_size`` windows except the ``global_indices``
    ones, which attend over the whole map. The absolute ``pos_embed`` (resized
    from the pretraining grid when loading, and to the input grid in
    ``forward``) is added to the patch tokens; the ``cls_token`` is kept frozen
    and unused, so that SymMIM / MMPretrain ViT weights load with no renaming.
    Output: the map of the last block (or of each ``out_indices`` block),
    ``(B, C, H/p, W/p)``.

    ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``
    (``'momentum_encoder.module.0.'`` for SymMIM's EMA encoder, ``None`` for a
    converted file) loads **strictly**: a missing or unexpected key raises. Only
    the relative position tables (``use_rel_pos=True``) may be missing: SymMIM
    has none to give.

    Args:
        arch (str | dict): ViT arch, as MMPretrain's ``VisionTransformer``
            (``'base'``, or a dict of ``embed_dims``, ``num_layers``,
            ``num_heads``, ``feedforward_channels``). Defaults to ``'base'``.
        img_size (int | tuple): Input size the position embedding is made for.
            Defaults to 1024.
        patch_size (int): Patch size. Defaults to 16.
        in_channels (int): Input channels. Defaults to 3.
        out_indices (int | Sequence[int]): Blocks whose maps are output.
            Defaults to -1 (the last).
        window_size (int): Window side of the windowed blocks. Defaults to 14.
        global_indices (Sequence[int]): Blocks with global attention.
            Defaults to ``(2, 5, 8, 11)``.
        use_rel_pos (bool): Decomposed relative position bias (no pretrained
            weights: they start from a truncated normal). Defaults to False.
        drop_rate (float): Dropout rate. Defaults to 0.
        drop_path_rate (float): Stochastic depth, linear in depth up to this.
            Defaults to 0.1.
        qkv_bias (bool): Bias in qkv projections. Defaults to True.
        norm_cfg (dict): Norm of the blocks. Defaults to ``dict(type='LN', eps=1e-6)``.
        final_norm (bool): Normalise the last block's output. Defaults to False.
        frozen_stages (int): Freeze the patch embedding and this many blocks.
            Defaults to -1 (nothing frozen).
        interpolate_mode (str): How ``pos_embed`` is resized. Defaults to
            ``'bicubic'``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    NEW_PARAMS = ('rel_pos_h', 'rel_pos_w')

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 img_size: Union[int, Tuple[int, int]] = 1024,
                 patch_size: int = 16,
                 in_channels: int = 3,
                 out_indices: Union[int, Sequence[int]] = -1,
                 window_size: int = 14,
                 global_indices: Sequence[int] = (2, 5, 8, 11),
                 use_rel_pos: bool = False,
                 drop_rate: float = 0.,
                 drop_path_rate: float = 0.1,
                 qkv_bias: bool = True,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 final_norm: bool = False,
                 frozen_stages: int = -1,
                 interpolate_mode: str = 'bicubic',
                 init_cfg: Optional[dict] = None) -> None:
        out_indices = [out_indices] if isinstance(out_indices, int) else list(out_indices)
        super().__init__(
            arch=arch, img_size=img_size, patch_size=patch_size, in_channels=in_channels,
            out_indices=out_indices, drop_rate=drop_rate, qkv_bias=qkv_bias,
            norm_cfg=norm_cfg, final_norm=final_norm, out_type='featmap',
            with_cls_token=True, interpolate_mode=interpolate_mode, init_cfg=init_cfg)
        bad = [i for i in global_indices if not 0 <= i < self.num_layers]
        if bad:
            raise ValueError(f'global_indices {bad} out of range for {self.num_layers} blocks.')
        self.window_size = window_size
        self.global_indices = tuple(global_indices)

        # The plain ViT blocks of the parent are replaced by windowed ones.
        dpr = np.linspace(0, drop_path_rate, self.num_layers)
        self.layers = ModuleList(
            ViTDetLayer(
                embed_dims=self.embed_dims,
                num_heads=self.arch_settings['num_heads'],
                feedforward_channels=self.arch_settings['feedforward_channels'],
                window_size=0 if i in self.global_indices else window_size,
                use_rel_pos=use_rel_pos,
                input_size=self.patch_resolution,
                drop_rate=drop_rate,
                drop_path_rate=float(dpr[i]),
                qkv_bias=qkv_bias,
                norm_cfg=norm_cfg) for i in range(self.num_layers))
        self.cls_token.requires_grad_(False)  # kept for loading, never used
        self.frozen_stages = frozen_stages
        if frozen_stages > 0:
            self._freeze_stages()

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Encode images ``(B, 3, H, W)`` into maps ``(B, C, H/p, W/p)``."""
        B = x.shape[0]
        x, (h, w) = self.patch_embed(x)  # (B, hw, C)
        pos_embed = resize_pos_embed(
            self.pos_embed, self.patch_resolution, (h, w), mode=self.interpolate_mode,
            num_extra_tokens=self.num_extra_tokens)[:, self.num_extra_tokens:]  # (1, hw, C)
        x = self.drop_after_pos(x + pos_embed).view(B, h, w, -1)  # (B, h, w, C)

        outs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i == len(self.layers) - 1 and self.final_norm:
                x = self.ln1(x)
            if i in self.out_indices:
                outs.append(x.permute(0, 3, 1, 2).contiguous())  # (B, C, h, w)
        return tuple(outs)
