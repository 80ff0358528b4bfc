"""Multi-level ViT backbone for semantic segmentation that loads SymMIM encoders as they are."""
from typing import Optional, Sequence, Tuple, Union

from mmpretrain.models import VisionTransformer
from mmseg.registry import MODELS

from ..strict_pretrained import StrictPretrainedMixin


@MODELS.register_module()
class SymMIMViTSeg(StrictPretrainedMixin, VisionTransformer):
    """MMPretrain ``VisionTransformer`` that outputs NCHW maps of several blocks,
    for a ``Feature2Pyramid`` neck and a UPerHead (the BEiT / MAE set-up).

    It is exactly an MMPretrain ViT (same parameter names, ``get_layer_depth``,
    ``pos_embed`` resized on loading and to the input grid), with segmentation
    defaults: ``out_type='featmap'``, blocks 3, 5, 7, 11, no final norm.
    ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``
    (``'momentum_encoder.module.0.'`` for SymMIM's EMA encoder, ``None`` for a
    converted file) loads **strictly**: any missing or unexpected key raises.

    Args:
        arch (str | dict): ViT arch. Defaults to ``'base'``.
        img_size (int | tuple): Crop size. Defaults to 512.
        patch_size (int): Patch size. Defaults to 16.
        out_indices (Sequence[int]): Blocks whose maps are output.
            Defaults to ``(3, 5, 7, 11)``.
        drop_path_rate (float): Stochastic depth. Defaults to 0.1.
        final_norm (bool): Normalise the last block's output. Defaults to False.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
        **kwargs: Other arguments of MMPretrain's ``VisionTransformer``.
    """

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 img_size: Union[int, Tuple[int, int]] = 512,
                 patch_size: int = 16,
                 out_indices: Sequence[int] = (3, 5, 7, 11),
                 drop_path_rate: float = 0.1,
                 final_norm: bool = False,
                 init_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        kwargs.setdefault('out_type', 'featmap')
        super().__init__(
            arch=arch,
            img_size=img_size,
            patch_size=patch_size,
            out_indices=list(out_indices),
            drop_path_rate=drop_path_rate,
            final_norm=final_norm,
            init_cfg=init_cfg,
            **kwargs)
