"""ViTDet's computation on the blocks that MMPretrain's ``ViTSAM`` builds.

Both classes only override ``forward``: they hold exactly the parameters, names and
buffers of their MMPretrain parents, so :class:`SymMIMViTDet` gives the blocks that
``ViTSAM`` built these classes instead of building others.
"""
import torch
import torch.nn.functional as F
from mmpretrain.models.backbones.vit_sam import (Attention, TransformerEncoderLayer,
                                                 add_decomposed_rel_pos, window_partition,
                                                 window_unpartition)


class SDPAAttention(Attention):
    """``ViTSAM``'s attention (optional decomposed relative positions of MViTv2 /
    ViTDet) computed by ``F.scaled_dot_product_attention``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x: (B, H, W, C)`` -> ``(B, H, W, C)``."""
        B, H, W, C = x.shape
        qkv = self.qkv(x).reshape(B, H * W, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)  # 3 x (B, heads, HW, d)
        bias = None
        if self.use_rel_pos:  # (B, heads, HW, HW), from the unscaled queries
            flat_q = q.reshape(B * self.num_heads, H * W, -1)
            bias = add_decomposed_rel_pos(
                flat_q.new_zeros(B * self.num_heads, H * W, H * W), flat_q, self.rel_pos_h,
                self.rel_pos_w, (H, W), (H, W)).view(B, self.num_heads, H * W, H * W)
        x = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)  # (B, heads, HW, d)
        return self.proj(x.transpose(1, 2).reshape(B, H, W, C))


class ViTDetBlock(TransformerEncoderLayer):
    """``ViTSAM``'s pre-norm block, with stochastic depth on the attention branch as
    well as on the MLP one (ViTDet's block; ``ViTSAM`` drops only the MLP branch).
    The FFN's ``DropPath`` serves both branches."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x: (B, H, W, C)`` -> ``(B, H, W, C)``."""
        x = x + self.ffn.dropout_layer(self.attend(self.ln1(x)))
        return self.ffn(self.ln2(x), identity=x)

    def attend(self, x: torch.Tensor) -> torch.Tensor:
        """Attention inside ``window_size`` windows (zero-padded), or over the whole
        map for a global block (``window_size=0``)."""
        if not self.window_size:
            return self.attn(x)
        windows, padded_hw = window_partition(x, self.window_size)  # (B*nW, w, w, C)
        return window_unpartition(self.attn(windows), self.window_size, padded_hw, x.shape[1:3])
