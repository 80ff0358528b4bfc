"""Vision Transformer with a learned mask token, the encoder of SymMIM."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmcv.cnn.bricks import DropPath
from mmengine.model.weight_init import trunc_normal_
from mmpretrain.models import VisionTransformer
from mmpretrain.models.utils import build_2d_sincos_position_embedding, resize_pos_embed
from mmpretrain.registry import MODELS


@MODELS.register_module()
class SymMIMViT(VisionTransformer):
    """MMPretrain ``VisionTransformer`` whose masked patch tokens are replaced in
    place by a learned ``mask_token`` (SimMIM-style: the full sequence is encoded).

    Takes every argument of :class:`mmpretrain.models.VisionTransformer`. With
    ``mask=None`` it is exactly that ViT, and its state dict without ``mask_token``
    loads strictly into a ``VisionTransformer`` of the same arch.

    Args:
        sincos_pos_embed (bool): Use a fixed (not learned) 2-D sine-cosine position
            embedding, as MAE and MoCo v3 do, instead of a learned one. It is still
            the ``pos_embed`` parameter (saved, loadable, resized as usual), only
            frozen. Every SymMIM pretraining config sets it: on Fashion-MNIST's
            validation split (1 epoch, kNN) a learned embedding gave 59.7 / 60.0 %
            on two seeds, the sin-cos one 70.6 / 71.8 % (MAE: 73.8 / 71.5 %).
            Defaults to False, as MMPretrain's ViT.
        *args, **kwargs: Arguments of :class:`mmpretrain.models.VisionTransformer`.
    """

    def __init__(self, *args, sincos_pos_embed: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for module in self.modules():  # numpy floats from MMPretrain's drop-path schedule
            if isinstance(module, DropPath):  # break torch.compile's graph at every block
                module.drop_prob = float(module.drop_prob)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, self.embed_dims))
        self.sincos_pos_embed = sincos_pos_embed
        if sincos_pos_embed:
            self.pos_embed.requires_grad = False

    def init_weights(self) -> None:
        """Initialise the ViT, then the mask token and a sin-cos position embedding
        (both skipped for pretrained weights)."""
        super().init_weights()
        if isinstance(self.init_cfg, dict) and self.init_cfg.get('type') == 'Pretrained':
            return
        trunc_normal_(self.mask_token, std=.02)
        if self.sincos_pos_embed:
            self.pos_embed.data.copy_(
                build_2d_sincos_position_embedding(
                    self.patch_resolution, self.embed_dims, cls_token=self.cls_token
                    is not None).to(self.pos_embed))

    def mask_patches(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Replace masked patch tokens by the mask token.

        Args:
            x (Tensor): Patch tokens ``(B, L, C)``.
            mask (Tensor): ``(B, h, w)`` or ``(B, L)``, 1 = masked.
        """
        w = mask.flatten(1).unsqueeze(-1).to(x.dtype)  # (B, L, 1)
        return x * (1. - w) + self.mask_token.to(x.dtype) * w

    def drop_patches(self,
                     x: torch.Tensor,
                     mask: torch.Tensor,
                     num_visible: Optional[int] = None) -> torch.Tensor:
        """Keep the extra (CLS) tokens and the visible patch tokens only, in raster
        order.

        Args:
            x (Tensor): Tokens ``(B, extra + L, C)``, position embedding added.
            mask (Tensor): ``(B, h, w)`` or ``(B, L)``, 1 = masked; every sample must
                mask as many patches.
            num_visible (int, optional): Visible patches per sample, if known
                (counted from ``mask`` otherwise).

        Returns:
            Tensor: ``(B, extra + L_visible, C)``.
        """
        ids_shuffle, _, num_visible = visible_first(mask, num_visible)
        extra, patches = x[:, :self.num_extra_tokens], x[:, self.num_extra_tokens:]
        ids_keep = ids_shuffle[:, :num_visible, None].expand(-1, -1, x.shape[-1])
        return torch.cat((extra, patches.gather(1, ids_keep)), dim=1)

    def forward(self,
                x: torch.Tensor,
                mask: Optional[torch.Tensor] = None,
                drop_masked: bool = False,
                num_visible: Optional[int] = None) -> Tuple[torch.Tensor, ...]:
        """Encode images, masking patches where ``mask`` is 1.

        Args:
            x (Tensor): Images ``(B, 3, H, W)``.
            mask (Tensor, optional): ``(B, H/p, W/p)``, 1 = masked. ``None``
                encodes the image unmasked. Defaults to None.
            drop_masked (bool): Drop the masked patches from the sequence (MAE
                style, fewer tokens, needs ``out_type='raw'``) instead of replacing
                them by the mask token. Defaults to False.
            num_visible (int, optional): With ``drop_masked``, the visible patches
                per sample when the caller knows it (:class:`SymMIMDataPreprocessor`
                counts them once per batch): no count from ``mask`` inside the
                forward, so no data-dependent shape. Defaults to None.

        Returns:
            tuple[Tensor]: One output per ``out_indices``, formatted by
            ``out_type`` (``'raw'``: ``(B, 1 + L, C)``, or ``(B, 1 + L_visible, C)``
            with ``drop_masked``).
        """
        if drop_masked and self.out_type != 'raw':
            raise ValueError("drop_masked needs out_type='raw'.")
        B = x.shape[0]
        x, patch_resolution = self.patch_embed(x)  # (B, L, C)
        if mask is not None and not drop_masked:
            x = self.mask_patches(x, mask)
        if self.cls_token is not None:
            x = torch.cat((self.cls_token.expand(B, -1, -1), x), dim=1)
        x = x + resize_pos_embed(
            self.pos_embed,
            self.patch_resolution,
            patch_resolution,
            mode=self.interpolate_mode,
            num_extra_tokens=self.num_extra_tokens)
        if mask is not None and drop_masked:
            x = self.drop_patches(x, mask, num_visible)
        x = self.pre_norm(self.drop_after_pos(x))

        outs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i == len(self.layers) - 1 and self.final_norm:
                x = self.ln1(x)
            if i in self.out_indices:
                outs.append(self._format_output(x, patch_resolution))
        return tuple(outs)


def visible_first(mask: torch.Tensor,
                  num_visible: Optional[int] = None) -> Tuple[torch.Tensor, torch.Tensor, int]:
    """The patch order that puts the visible patches first, as MAE's ``ids_shuffle``.

    Args:
        mask (Tensor): ``(B, h, w)`` or ``(B, L)``, 1 = masked; every sample must
            mask as many patches (the symmetric masks do).
        num_visible (int, optional): That number of visible patches, if known;
            counted (and checked) from ``mask`` otherwise.

    Returns:
        tuple: ``ids_shuffle`` ``(B, L)`` (visible patches, then masked ones, each in
        raster order), ``ids_restore`` ``(B, L)`` (its inverse, what MMPretrain's
        ``MAEPretrainDecoder`` takes) and the number of visible patches.
    """
    mask = mask.flatten(1)
    if num_visible is None:
        counts = mask.sum(1)
        if not bool((counts == counts[0]).all()):
            raise ValueError('dropping masked patches needs the same number of masked '
                             f'patches in every sample, got {counts.tolist()}.')
        num_visible = mask.shape[1] - int(counts[0])
    ids_shuffle = torch.argsort(mask.to(torch.uint8), dim=1, stable=True)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    return ids_shuffle, ids_restore, num_visible
