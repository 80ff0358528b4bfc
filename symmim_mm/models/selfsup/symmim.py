"""SymMIM: masked image modeling with symmetric masks and a momentum contrast."""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..backbones.symmim_vit import visible_first
from ..utils import FusedCosineEMA, collate_masks

# Arguments of earlier releases -> where the setting lives now (the config check says so).
MOVED_ARGUMENTS = {
    'rec_loss': "head.loss.criterion ('L1' or 'L2')",
    'norm_pix': 'head.norm_pix',
    'proj_hidden': 'projector.hid_channels and contrast_head.predictor.hid_channels',
    'proj_out': 'projector.out_channels and contrast_head.predictor.in/out_channels',
    'temperature': 'contrast_head.temperature (and its loss.loss_weight, 2 × τ in MoCo v3)',
    'predictor': 'contrast_head.predictor',
    'contrast_level': "contrast_head=dict(type='SymMIMPatchContrastHead', ...) for 'patch'",
}


def mlp(in_channels: int, hidden: int, out: int, num_layers: int) -> dict:
    """MoCo v3 MLP (BN after every layer, affine-free BN at the end)."""
    return dict(
        type='NonLinearNeck',
        in_channels=in_channels,
        hid_channels=hidden,
        out_channels=out,
        num_layers=num_layers,
        with_bias=False,
        with_last_bn=True,
        with_last_bn_affine=False,
        with_last_bias=False,
        with_avg_pool=False,
        norm_cfg=dict(type='BN1d'))


@MODELS.register_module()
class SymMIM(BaseSelfSupervisor):
    """SymMIM, from `Symmetric masking strategy enhances the performance of Masked
    Image Modeling <https://arxiv.org/abs/2408.12772>`_ (ICPR 2024).

    The online encoder sees the image under the fine checkerboard ``mask`` (M1)
    and reconstructs the masked pixels; an EMA copy of it (the momentum encoder)
    sees the image under the block checkerboard ``momentum_mask`` (M2). A MoCo v3
    style InfoNCE ties the two embeddings. ``L = loss_rec + con_weight * loss_con``.
    Masks come from :class:`SymmetricMaskGenerator` in the data pipeline.

    Sub-modules are config dicts, as in MMPretrain's algorithms; the shipped
    defaults are in ``configs/_base_/models/symmim_vit-base-p16.py``.

    Args:
        backbone (dict): A :class:`SymMIMViT` config with ``out_type='raw'``.
        neck (dict, optional): Pixel decoder: ``neck(tokens, ids_restore)`` ->
            per-patch pixels ``(B, L, p²·3)``, tokens ``(B, 1 + L', C)`` with CLS
            first. MMPretrain's ``MAEPretrainDecoder`` (a light transformer that
            puts mask tokens back by ``ids_restore``; needed with
            ``online_drop_masked``) or :class:`SymMIMLinearDecoder` (SimMIM's
            linear decoder; mask tokens in place). Defaults to the latter.
        head (dict, optional): Reconstruction head on the per-patch pixels and a
            ``(B, L)`` mask, with ``unpatchify``. Defaults to ``MAEPretrainHead``
            with L1 on the normalised pixels of the masked patches (SimMIM's loss).
        projector (dict, optional): Projector after the encoders, copied into the
            momentum branch; ``in_channels`` defaults to the encoder width.
            Defaults to MoCo v3's 3-layer MLP (4096 hidden, 256 out).
        contrast_head (dict, optional): Contrastive head with its predictor,
            temperature and loss. MMPretrain's ``MoCoV3Head`` (CLS tokens,
            in-batch negatives gathered across ranks) or
            :class:`SymMIMPatchContrastHead` (masked online patches against the
            momentum patches of the same image; its ``contrast_level`` is
            ``'patch'``). Defaults to ``MoCoV3Head`` with a 2-layer MLP predictor,
            τ = 0.2 and the loss weighted 2τ, as MoCo v3.
        con_weight (float): λ, weight of the contrastive loss; 0 is pure MIM:
            no projector, contrast head or momentum encoder is built (so DDP needs no
            ``find_unused_parameters``), ``loss_con`` is logged as 0. Defaults to 1.0.
        base_momentum (float): Start value of ``1 - m`` for the EMA; it follows a
            cosine schedule to 0 (m from 0.99 to 1), as MMPretrain's ``CosineEMA``.
            Defaults to 0.01.
        two_views (bool): Inputs are two augmented views (a list); the online
            encoder takes the first, the momentum encoder the second.
            Defaults to False (both encoders see the same view).
        online_drop_masked (bool): The online encoder encodes the M1-visible
            patches only (MAE style, half the tokens) and the decoder puts mask
            tokens back by ``ids_restore``. Global contrast only. Defaults to
            False: masked patches are replaced in place by the mask token, the
            literal reading of the paper.
        momentum_drop_masked (bool): The momentum encoder drops the M2-masked
            patches (MAE style, about half the tokens) instead of encoding mask
            tokens in their place. Global contrast only. Batches whose samples
            mask different numbers of patches (``phase_flip`` on an odd block
            grid) take the in-place path. Defaults to False.
        momentum_input (str): What the momentum encoder sees: ``'masked'`` (the
            image under M2, as the paper) or ``'full'`` (the unmasked image, as
            CMAE). Defaults to ``'masked'``.
        data_preprocessor (dict, optional): Defaults to ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    moved_arguments = MOVED_ARGUMENTS

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 projector: Optional[dict] = None,
                 contrast_head: Optional[dict] = None,
                 con_weight: float = 1.0,
                 base_momentum: float = 0.01,
                 two_views: bool = False,
                 online_drop_masked: bool = False,
                 momentum_drop_masked: bool = False,
                 momentum_input: str = 'masked',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if con_weight < 0:
            raise ValueError(f'`con_weight` must be >= 0, got {con_weight!r}.')
        if momentum_input not in ('masked', 'full'):
            raise ValueError("`momentum_input` must be 'masked' or 'full', "
                             f'got {momentum_input!r}.')
        encoder = MODELS.build(backbone)
        if encoder.out_type != 'raw' or encoder.cls_token is None:
            raise ValueError("SymMIM needs `backbone.out_type='raw'` with a cls token.")
        dims, patch = encoder.embed_dims, encoder.patch_embed.projection.stride[0]
        neck = neck or dict(type='SymMIMLinearDecoder', in_channels=dims, encoder_stride=patch)
        head = head or dict(
            type='MAEPretrainHead',
            patch_size=patch,
            norm_pix=False,
            loss=dict(type='PixelReconstructionLoss', criterion='L1'))
        super().__init__(
            backbone=encoder,
            neck=neck,
            head=head,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)

        self.online_drop_masked = online_drop_masked
        if online_drop_masked:
            # The online encoder never puts a mask token in, so the token would get no
            # gradient: frozen, DDP (find_unused_parameters=False) finds no unused
            # parameter. It stays in the state dict (and serves the in-place fallback).
            self.backbone.mask_token.requires_grad_(False)
        self.momentum_input = momentum_input
        self.con_weight = con_weight
        self.two_views = two_views
        self.momentum_drop_masked = momentum_drop_masked
        self.contrast_level = 'global'
        self.projector = self.contrast_head = self.momentum_encoder = None
        if con_weight == 0:  # pure MIM: no momentum branch, every parameter gets a gradient
            return
        self.projector = MODELS.build(
            projector or mlp(dims, 4096, 256, 3), default_args=dict(in_channels=dims))
        self.contrast_head = MODELS.build(
            contrast_head or dict(
                type='MoCoV3Head',
                predictor=mlp(256, 4096, 256, 2),
                temperature=0.2,
                loss=dict(type='CrossEntropyLoss', loss_weight=0.4)))
        self.contrast_level = getattr(self.contrast_head, 'contrast_level', 'global')
        if (momentum_drop_masked or online_drop_masked) and self.contrast_level != 'global':
            raise ValueError('`momentum_drop_masked` and `online_drop_masked` need a global '
                             f'contrast head (MoCoV3Head), got {contrast_head!r}.')
        # EMA copy of (encoder, projector); parameters never receive gradients.
        self.momentum_encoder = FusedCosineEMA(
            nn.Sequential(self.backbone, self.projector), momentum=base_momentum)

    def extract_feat(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Unmasked features of the online encoder."""
        return self.backbone(inputs, mask=None)

    def embed(self, tokens: torch.Tensor, projector: nn.Module) -> torch.Tensor:
        """Project the CLS token ``(B, D)`` or, at patch level, every patch ``(B, L, D)``."""
        if self.contrast_level == 'global':
            return projector([tokens[:, 0]])[0]
        B, L = tokens.shape[0], tokens.shape[1] - 1
        return projector([tokens[:, 1:].flatten(0, 1)])[0].view(B, L, -1)

    def encode_momentum(self, encoder: nn.Module, img: torch.Tensor, mask: torch.Tensor,
                        num_visible: Optional[int]) -> torch.Tensor:
        """Momentum tokens ``(B, 1 + L', C)`` of ``img`` under the M2 ``mask``
        (unmasked when ``momentum_input='full'``); ``num_visible`` is None when the
        samples leave different numbers of patches visible."""
        if self.momentum_input == 'full':
            return encoder(img, None)[0]  # L' = L
        if self.momentum_drop_masked and num_visible is not None:  # L' = visible patches
            return encoder(img, mask, drop_masked=True, num_visible=num_visible)[0]
        return encoder(img, mask)[0]  # L' = L, masked patches as mask tokens

    def decode(self,
               tokens: torch.Tensor,
               mask: torch.Tensor,
               num_visible: Optional[int] = None) -> torch.Tensor:
        """Per-patch pixels ``(B, L, p²·3)`` the decoder predicts from the online tokens
        ``(B, 1 + L', C)`` (``L' = L``, or the visible patches with
        ``online_drop_masked``); ``mask`` ``(B, h, w)`` gives the patch grid."""
        B, L = mask.shape[0], mask[0].numel()
        if self.online_drop_masked:  # visible tokens first: MAE's ids_restore
            return self.neck(tokens, visible_first(mask, num_visible)[1])
        return self.neck(tokens, torch.arange(L, device=mask.device).expand(B, L))

    def reconstruct(self, img: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The online encoder's reconstruction of ``img`` ``(B, 3, H, W)`` under
        ``mask`` ``(B, h, w)``, as an image ``(B, 3, H, W)`` in the space of the
        targets (normalised pixels; per-patch normalised with ``norm_pix``)."""
        tokens = self.backbone(img, mask, drop_masked=self.online_drop_masked)[0]
        return self.head.unpatchify(self.decode(tokens, mask))

    def reconstruction_loss(self,
                            tokens: torch.Tensor,
                            img: torch.Tensor,
                            mask: torch.Tensor,
                            num_visible: Optional[int] = None) -> torch.Tensor:
        """Decode the online tokens ``(B, 1 + L', C)`` into pixels and compare them
        with ``img`` ``(B, 3, H, W)`` on the patches ``mask`` ``(B, h, w)`` hides."""
        return self.head.loss(self.decode(tokens, mask, num_visible), img, mask.flatten(1))

    def forward(self,
                inputs: Union[torch.Tensor, List[torch.Tensor]],
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor',
                masks: Optional[dict] = None):
        """MMPretrain's ``forward``; ``masks`` (from :class:`SymMIMDataPreprocessor`)
        go to :meth:`loss`."""
        if mode == 'loss':
            return self.loss(inputs, data_samples, masks=masks)
        return super().forward(inputs, data_samples, mode)

    def loss(self,
             inputs: Union[torch.Tensor, List[torch.Tensor]],
             data_samples: List[DataSample],
             masks: Optional[dict] = None,
             **kwargs) -> Dict[str, torch.Tensor]:
        """Masks -> online encoder -> reconstruct -> momentum encoder -> contrast.

        Args:
            inputs (Tensor | list[Tensor]): Images ``(B, 3, H, W)``; two of them
                when ``two_views=True``.
            data_samples (list[DataSample]): Carry ``mask`` and ``momentum_mask``.
            masks (dict, optional): The same masks collated by
                :class:`SymMIMDataPreprocessor` (see :func:`collate_masks`);
                collated here when not given.

        Returns:
            dict[str, Tensor]: ``loss_rec`` and ``loss_con`` (already × λ).
        """
        if self.two_views and not (isinstance(inputs, list) and len(inputs) == 2):
            raise ValueError('two_views=True needs two views per sample: put MultiView('
                             'num_views=[1, 1]) in the pipeline before the mask generator.')
        online_view, momentum_view = (inputs[0], inputs[1]) if self.two_views else \
            ((inputs[0], inputs[0]) if isinstance(inputs, list) else (inputs, inputs))
        masks = masks or collate_masks(data_samples, online_view.device)
        mask, num_visible = masks['mask'], masks['num_visible']  # (B, h, w) M1

        # (B, 1 + L, C), or (B, 1 + L / 2, C) with online_drop_masked
        tokens = self.backbone(
            online_view, mask, drop_masked=self.online_drop_masked, num_visible=num_visible)[0]
        losses = dict(loss_rec=self.reconstruction_loss(tokens, online_view, mask, num_visible))
        if self.con_weight == 0:
            losses['loss_con'] = tokens.new_zeros(())
            return losses

        if 'momentum_mask' not in masks:
            raise KeyError('data samples have no `momentum_mask`: put SymmetricMaskGenerator '
                           "in the pipeline and PackInputs(algorithm_keys=['momentum_mask']).")
        momentum_mask = masks['momentum_mask']  # (B, h, w) M2
        with torch.no_grad():
            self.momentum_encoder.update_parameters(nn.Sequential(self.backbone, self.projector))
            encoder, projector = self.momentum_encoder.module
            key = self.embed(
                self.encode_momentum(encoder, momentum_view, momentum_mask,
                                     masks['momentum_num_visible']), projector)
        query = self.embed(tokens, self.projector)
        if self.contrast_level == 'global':
            loss_con = self.contrast_head.loss(query, key)  # (B, D) vs (B', D)
        else:
            loss_con = self.contrast_head.loss(query, key, mask)  # (B, L, D) pairs
        losses['loss_con'] = self.con_weight * loss_con
        return losses
