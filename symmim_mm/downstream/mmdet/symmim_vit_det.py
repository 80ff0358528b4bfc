"""Plain ViT backbone for detection (ViTDet) that loads SymMIM encoders strictly."""
from typing import Optional, Sequence, Tuple, Union

from mmdet.registry import MODELS
from mmpretrain.models import ViTSAM

from ...utils.convert import vit_to_sam_layout
from ..strict_pretrained import StrictPretrainedMixin
from .vit_det_blocks import SDPAAttention, ViTDetBlock


@MODELS.register_module()
class SymMIMViTDet(StrictPretrainedMixin, ViTSAM):
    """ViT of `Exploring Plain Vision Transformer Backbones for Object Detection
    <https://arxiv.org/abs/2203.16527>`_ (ViTDet): MMPretrain's ``ViTSAM`` (windowed
    attention, global blocks, optional decomposed relative positions, ``pos_embed``
    resized to the input grid, ``get_layer_depth``), without its channel-reduction
    neck, with ViTDet's block (stochastic depth on both residual branches) and
    attention through ``F.scaled_dot_product_attention``.

    SymMIM encoders are MMPretrain ``VisionTransformer`` weights: the same block
    names, plus a ``cls_token`` and a ``(1, 1 + h*w, C)`` ``pos_embed``. Loading
    takes that layout as ``ViTSAM``'s (the cls token and its position are dropped:
    ViTDet has none; :func:`symmim_mm.utils.vit_to_sam_layout`), then resizes
    ``pos_embed`` to ``img_size``. ``init_cfg=dict(type='Pretrained',
    checkpoint=..., prefix='backbone.')`` (``'momentum_encoder.module.0.'`` for
    SymMIM's EMA encoder, ``None`` for a converted file) loads **strictly**: a
    missing or unexpected key raises. Only the relative position tables
    (``use_rel_pos=True``) may be missing: SymMIM has none to give, and they start
    at zero (as in ViTDet and SAM). Output: the map of the last block (or of each
    ``out_indices`` block), ``(B, C, H/p, W/p)``.

    Args:
        arch (str | dict): ``'base'``, ``'large'``, ``'huge'``, or a dict of
            ``embed_dims``, ``num_layers``, ``num_heads``, ``feedforward_channels``.
            Defaults to ``'base'``.
        img_size (int | tuple): Input size ``pos_embed`` is made for.
            Defaults to 1024.
        patch_size (int): Patch size. Defaults to 16.
        in_channels (int): Input channels. Defaults to 3.
        out_indices (int | Sequence[int]): Blocks whose maps are output.
            Defaults to -1 (the last).
        window_size (int): Window side of the windowed blocks. Defaults to 14.
        global_indices (Sequence[int]): Blocks with global attention.
            Defaults to ``(2, 5, 8, 11)``.
        use_rel_pos (bool): Decomposed relative positions. Defaults to False.
        drop_rate (float): Dropout after the position embedding and in the MLP.
            Defaults to 0.
        drop_path_rate (float): Stochastic depth, linear in depth up to this.
            Defaults to 0.1.
        qkv_bias (bool): Bias in the qkv projections. Defaults to True.
        norm_cfg (dict): Norm of the blocks. Defaults to ``dict(type='LN', eps=1e-6)``.
        frozen_stages (int): Freeze the patch embedding, ``pos_embed`` and this many
            blocks. Defaults to -1 (nothing frozen).
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
                 frozen_stages: int = -1,
                 interpolate_mode: str = 'bicubic',
                 init_cfg: Optional[dict] = None) -> None:
        if isinstance(arch, str) and arch.lower() not in self.arch_zoo:
            raise ValueError(f'arch {arch!r} is not one of {sorted(self.arch_zoo)}.')
        settings = dict(self.arch_zoo[arch.lower()] if isinstance(arch, str) else arch)
        bad = [i for i in global_indices if not 0 <= i < settings['num_layers']]
        if bad:
            raise ValueError(f'global_indices {bad} out of range for '
                             f'{settings["num_layers"]} blocks.')
        settings['global_attn_indexes'] = list(global_indices)
        super().__init__(
            arch=settings,
            img_size=img_size,
            patch_size=patch_size,
            in_channels=in_channels,
            out_channels=0,
            out_indices=[out_indices] if isinstance(out_indices, int) else list(out_indices),
            out_type='featmap',
            drop_rate=drop_rate,
            drop_path_rate=drop_path_rate,
            qkv_bias=qkv_bias,
            use_abs_pos=True,
            use_rel_pos=use_rel_pos,
            window_size=window_size,
            norm_cfg=norm_cfg,
            frozen_stages=frozen_stages,
            interpolate_mode=interpolate_mode,
            init_cfg=init_cfg)
        self.window_size = window_size
        self.global_indices = tuple(global_indices)
        for layer in self.layers:  # ViTDet's forward for the blocks ViTSAM built
            layer.__class__ = ViTDetBlock
            layer.attn.__class__ = SDPAAttention

    def _prepare_pos_embed(self, state_dict: dict, prefix: str, *args, **kwargs) -> None:
        """Load hook: MMPretrain-ViT weights (``cls_token``, ``(1, 1 + h*w, C)``
        ``pos_embed``) in ``ViTSAM``'s layout, then ``ViTSAM``'s resize to our grid."""
        vit = {
            k: state_dict.pop(prefix + k)
            for k in ('cls_token', 'pos_embed') if prefix + k in state_dict
        }
        state_dict.update({prefix + k: v for k, v in vit_to_sam_layout(vit).items()})
        super()._prepare_pos_embed(state_dict, prefix, *args, **kwargs)
