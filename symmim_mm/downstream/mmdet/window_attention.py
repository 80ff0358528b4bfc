"""Windowed / global self-attention blocks on a 2-D token map, with MMPretrain's
ViT parameter names (``ln1``, ``attn.qkv``, ``attn.proj``, ``ln2``, ``ffn.layers``)."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks.drop import build_dropout
from mmcv.cnn.bricks.transformer import FFN
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from mmpretrain.models.utils import build_norm_layer


def window_partition(x: torch.Tensor, window: int) -> Tuple[torch.Tensor, Tuple[int, int]]:
    """Cut a token map into non-overlapping windows, zero-padding its bottom/right.

    Args:
        x (Tensor): ``(B, H, W, C)``.
        window (int): Window side.

    Returns:
        tuple: windows ``(B * nH * nW, window, window, C)`` and the padded
        ``(Hp, Wp)``.
    """
    B, H, W, C = x.shape
    pad_h, pad_w = (-H) % window, (-W) % window
    x = F.pad(x, (0, 0, 0, pad_w, 0, pad_h))  # (B, Hp, Wp, C)
    Hp, Wp = H + pad_h, W + pad_w
    x = x.view(B, Hp // window, window, Wp // window, window, C)
    return x.transpose(2, 3).reshape(-1, window, window, C), (Hp, Wp)


def window_unpartition(windows: torch.Tensor, padded_hw: Tuple[int, int],
                       hw: Tuple[int, int]) -> torch.Tensor:
    """Inverse of :func:`window_partition`: ``(B * nW, w, w, C)`` -> ``(B, H, W, C)``."""
    (Hp, Wp), (H, W), window = padded_hw, hw, windows.shape[1]
    B = windows.shape[0] // (Hp // window * Wp // window)
    x = windows.view(B, Hp // window, Wp // window, window, window, -1)
    x = x.transpose(2, 3).reshape(B, Hp, Wp, -1)
    return x[:, :H, :W].contiguous()


def relative_positions(table: torch.Tensor, size: int) -> torch.Tensor:
    """Embeddings of the offsets ``i - j`` between positions of one axis.

    Args:
        table (Tensor): ``(2 * S - 1, d)``, one row per offset ``-(S-1)..S-1``;
            linearly resized when ``S != size``.
        size (int): Axis length.

    Returns:
        Tensor: ``(size, size, d)``, entry ``[i, j]`` for offset ``i - j``.
    """
    length = 2 * size - 1
    if table.shape[0] != length:
        table = F.interpolate(table.t()[None], size=length, mode='linear',
                              align_corners=False)[0].t()
    pos = torch.arange(size, device=table.device)
    return table[pos[:, None] - pos[None, :] + size - 1]


class WindowedAttention(BaseModule):
    """Multi-head self-attention over a ``(B, H, W, C)`` map, optionally with the
    decomposed relative position bias of MViTv2 / ViTDet.

    Args:
        embed_dims (int): Channels ``C``.
        num_heads (int): Attention heads.
        qkv_bias (bool): Bias in the qkv projection. Defaults to True.
        attn_drop (float): Dropout on attention weights. Defaults to 0.
        proj_drop (float): Dropout after the output projection. Defaults to 0.
        rel_pos_size (tuple[int, int], optional): ``(H, W)`` the relative
            position tables are made for; None turns the bias off.
            Defaults to None.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self, embed_dims: int, num_heads: int, qkv_bias: bool = True,
                 attn_drop: float = 0., proj_drop: float = 0.,
                 rel_pos_size: Optional[Tuple[int, int]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_heads = num_heads
        self.head_dims = embed_dims // num_heads
        self.qkv = nn.Linear(embed_dims, embed_dims * 3, bias=qkv_bias)
        self.attn_drop = attn_drop
        self.proj = nn.Linear(embed_dims, embed_dims)
        self.proj_drop = nn.Dropout(proj_drop)
        self.use_rel_pos = rel_pos_size is not None
        if self.use_rel_pos:
            h, w = rel_pos_size
            self.rel_pos_h = nn.Parameter(torch.zeros(2 * h - 1, self.head_dims))
            self.rel_pos_w = nn.Parameter(torch.zeros(2 * w - 1, self.head_dims))

    def init_weights(self) -> None:
        super().init_weights()
        if self.use_rel_pos:
            trunc_normal_(self.rel_pos_h, std=.02)
            trunc_normal_(self.rel_pos_w, std=.02)

    def rel_pos_bias(self, q: torch.Tensor, hw: Tuple[int, int]) -> torch.Tensor:
        """Bias ``(B, heads, HW, HW)`` from queries ``q: (B, heads, HW, d)``."""
        H, W = hw
        q = q.unflatten(2, (H, W))  # (B, heads, H, W, d)
        bias_h = torch.einsum('bnhwd,hkd->bnhwk', q, relative_positions(self.rel_pos_h, H))
        bias_w = torch.einsum('bnhwd,wkd->bnhwk', q, relative_positions(self.rel_pos_w, W))
        bias = bias_h[..., :, None] + bias_w[..., None, :]  # (B, heads, H, W, H, W)
        return bias.flatten(4).flatten(2, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, H, W, C = x.shape
        qkv = self.qkv(x).view(B, H * W, 3, self.num_heads, self.head_dims)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # 3 x (B, heads, HW, d)
        bias = self.rel_pos_bias(q, (H, W)).to(q.dtype) if self.use_rel_pos else None
        x = F.scaled_dot_product_attention(
            q, k, v, attn_mask=bias, dropout_p=self.attn_drop if self.training else 0.)
        x = x.transpose(1, 2).reshape(B, H, W, C)
        return self.proj_drop(self.proj(x))


class ViTDetLayer(BaseModule):
    """A pre-norm ViT block on a ``(B, H, W, C)`` map whose attention runs inside
    ``window_size`` windows (0: global attention over the whole map).

    Args:
        embed_dims (int): Channels.
        num_heads (int): Attention heads.
        feedforward_channels (int): Hidden width of the MLP.
        window_size (int): Window side; 0 for a global block. Defaults to 0.
        use_rel_pos (bool): Decomposed relative position bias. Defaults to False.
        input_size (tuple[int, int]): Token grid the global blocks' relative
            position tables are made for. Defaults to (14, 14).
        drop_rate (float): Dropout after the projections. Defaults to 0.
        attn_drop_rate (float): Dropout on attention weights. Defaults to 0.
        drop_path_rate (float): Stochastic depth. Defaults to 0.
        qkv_bias (bool): Bias in the qkv projection. Defaults to True.
        act_cfg (dict): MLP activation. Defaults to ``dict(type='GELU')``.
        norm_cfg (dict): Norm config. Defaults to ``dict(type='LN', eps=1e-6)``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 feedforward_channels: int,
                 window_size: int = 0,
                 use_rel_pos: bool = False,
                 input_size: Tuple[int, int] = (14, 14),
                 drop_rate: float = 0.,
                 attn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 qkv_bias: bool = True,
                 act_cfg: dict = dict(type='GELU'),
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.window_size = window_size
        rel_pos_size = None
        if use_rel_pos:
            rel_pos_size = (window_size, window_size) if window_size else tuple(input_size)
        self.ln1 = build_norm_layer(norm_cfg, embed_dims)
        self.attn = WindowedAttention(embed_dims, num_heads, qkv_bias, attn_drop_rate,
                                      drop_rate, rel_pos_size)
        self.drop_path = build_dropout(dict(type='DropPath', drop_prob=drop_path_rate))
        self.ln2 = build_norm_layer(norm_cfg, embed_dims)
        self.ffn = FFN(embed_dims=embed_dims, feedforward_channels=feedforward_channels,
                       num_fcs=2, ffn_drop=drop_rate, act_cfg=act_cfg,
                       dropout_layer=dict(type='DropPath', drop_prob=drop_path_rate))

    def init_weights(self) -> None:
        super().init_weights()
        for m in self.ffn.modules():  # as MMPretrain's ViT layers
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.normal_(m.bias, std=1e-6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x: (B, H, W, C)`` -> ``(B, H, W, C)``."""
        shortcut = x
        x = self.ln1(x)
        if self.window_size:
            hw = x.shape[1:3]
            x, padded_hw = window_partition(x, self.window_size)  # (B*nW, w, w, C)
            x = window_unpartition(self.attn(x), padded_hw, hw)
        else:
            x = self.attn(x)
        x = shortcut + self.drop_path(x)
        return self.ffn(self.ln2(x), identity=x)
