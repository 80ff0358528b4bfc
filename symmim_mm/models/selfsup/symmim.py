"""SymMIM: masked image modeling with symmetric masks and a momentum contrast."""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models import BaseSelfSupervisor, MAEPretrainDecoder
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..backbones.symmim_vit import visible_first
from ..utils import FusedCosineEMA

CONTRAST_LEVELS = {'global': 0.2, 'patch': 0.1}  # level -> default temperature


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

    Args:
        backbone (dict): A :class:`SymMIMViT` config with ``out_type='raw'``.
        neck (dict, optional): Pixel decoder of the online tokens. Either a map
            decoder (``(B, C, h, w)`` -> image) or MMPretrain's
            ``MAEPretrainDecoder`` (a light transformer over the whole token
            sequence -> per-patch pixels ``(B, L, p²·3)``; pair it with
            ``MAEPretrainHead``). Defaults to ``SimMIMLinearDecoder`` (1×1 conv to
            p²·3 channels + PixelShuffle(p)).
        head (dict, optional): Reconstruction head. Defaults to
            ``SymMIMPixelHead`` built with ``rec_loss`` and ``norm_pix``.
        projector (dict, optional): Projector after the encoders (copied into the
            momentum branch). Defaults to a 3-layer MoCo v3 MLP of ``proj_hidden``
            hidden and ``proj_out`` output channels.
        predictor (dict, optional): Predictor on the online branch. Defaults to a
            2-layer MoCo v3 MLP of ``proj_hidden`` hidden and ``proj_out`` output
            channels.
        proj_hidden (int): Hidden width of the default projector and predictor.
            Defaults to 4096.
        proj_out (int): Output width of the default projector and predictor.
            Defaults to 256.
        rec_loss (str): ``'L1'`` or ``'L2'``. Defaults to ``'L1'``.
        norm_pix (bool): Per-patch normalised pixel targets. Defaults to False.
        contrast_level (str): ``'global'`` (CLS tokens, in-batch negatives gathered
            across ranks) or ``'patch'`` (masked online patches against momentum
            patches, other positions as negatives). Defaults to ``'global'``.
        temperature (float, optional): InfoNCE temperature. Defaults to 0.2 for
            ``'global'`` and 0.1 for ``'patch'``.
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
            patches only (MAE style, half the tokens) and a token decoder that
            puts mask tokens back by ``ids_restore`` (MMPretrain's
            ``MAEPretrainDecoder``) reconstructs the masked ones. Needs such a
            ``neck`` and global contrast. Defaults to False: masked patches are
            replaced in place by the mask token, the literal reading of the paper.
        momentum_drop_masked (bool): Fast path: the momentum encoder drops the
            M2-masked patches (MAE style, about half the tokens) instead of
            encoding mask tokens in their place. Changes the maths; global
            contrast only. Batches whose samples mask different numbers of
            patches (``phase_flip`` on an odd block grid) take the literal path.
            Defaults to False.
        momentum_input (str): What the momentum encoder sees: ``'masked'`` (the
            image under M2, as the paper) or ``'full'`` (the unmasked image, as
            CMAE). Defaults to ``'masked'``.
        data_preprocessor (dict, optional): Defaults to ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 projector: Optional[dict] = None,
                 predictor: Optional[dict] = None,
                 proj_hidden: int = 4096,
                 proj_out: int = 256,
                 rec_loss: str = 'L1',
                 norm_pix: bool = False,
                 contrast_level: str = 'global',
                 temperature: Optional[float] = None,
                 con_weight: float = 1.0,
                 base_momentum: float = 0.01,
                 two_views: bool = False,
                 online_drop_masked: bool = False,
                 momentum_drop_masked: bool = False,
                 momentum_input: str = 'masked',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if contrast_level not in CONTRAST_LEVELS:
            raise ValueError(f'`contrast_level` must be one of {tuple(CONTRAST_LEVELS)}, '
                             f'got {contrast_level!r}.')
        if con_weight < 0:
            raise ValueError(f'`con_weight` must be >= 0, got {con_weight!r}.')
        if (momentum_drop_masked or online_drop_masked) and contrast_level != 'global':
            raise ValueError("`momentum_drop_masked` and `online_drop_masked` need "
                             "contrast_level='global'.")
        if momentum_input not in ('masked', 'full'):
            raise ValueError("`momentum_input` must be 'masked' or 'full', "
                             f'got {momentum_input!r}.')
        encoder = MODELS.build(backbone)
        if encoder.out_type != 'raw' or encoder.cls_token is None:
            raise ValueError("SymMIM needs `backbone.out_type='raw'` with a cls token.")
        dims, patch = encoder.embed_dims, encoder.patch_embed.projection.stride[0]
        neck = neck or dict(type='SimMIMLinearDecoder', in_channels=dims, encoder_stride=patch)
        head = head or dict(
            type='SymMIMPixelHead', patch_size=patch, criterion=rec_loss, norm_pix=norm_pix)
        super().__init__(
            backbone=encoder,
            neck=neck,
            head=head,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)

        self.token_decoder = isinstance(self.neck, MAEPretrainDecoder)
        if online_drop_masked and not self.token_decoder:
            raise ValueError('`online_drop_masked=True` needs a token decoder that restores '
                             f'the masked positions (MAEPretrainDecoder), got {neck!r}.')
        self.online_drop_masked = online_drop_masked
        self.momentum_input = momentum_input
        self.contrast_level = contrast_level
        self.temperature = temperature or CONTRAST_LEVELS[contrast_level]
        self.con_weight = con_weight
        self.two_views = two_views
        self.momentum_drop_masked = momentum_drop_masked
        self.projector = self.contrast_head = self.momentum_encoder = None
        if con_weight == 0:  # pure MIM: no momentum branch, every parameter gets a gradient
            return
        self.projector = MODELS.build(projector or mlp(dims, proj_hidden, proj_out, 3))
        predictor = predictor or mlp(proj_out, proj_hidden, proj_out, 2)
        if contrast_level == 'global':
            self.contrast_head = MODELS.build(
                dict(
                    type='MoCoV3Head',
                    predictor=predictor,
                    temperature=self.temperature,
                    loss=dict(type='CrossEntropyLoss', loss_weight=2 * self.temperature)))
        else:
            self.contrast_head = MODELS.build(
                dict(
                    type='SymMIMPatchContrastHead',
                    predictor=predictor,
                    temperature=self.temperature))
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

    def encode_momentum(self, encoder: nn.Module, img: torch.Tensor,
                        mask: torch.Tensor) -> torch.Tensor:
        """Momentum tokens ``(B, 1 + L', C)`` of ``img`` under the M2 ``mask``
        (unmasked when ``momentum_input='full'``)."""
        if self.momentum_input == 'full':
            return encoder(img, None)[0]  # L' = L
        counts = mask.flatten(1).sum(1)
        if self.momentum_drop_masked and bool((counts == counts[0]).all()):
            return encoder(img, mask, drop_masked=True)[0]  # L' = visible patches
        return encoder(img, mask)[0]  # L' = L, masked patches as mask tokens

    def decode(self, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Pixels the decoder predicts from the online tokens ``(B, 1 + L', C)``
        (``L' = L``, or the visible patches with ``online_drop_masked``).

        Returns ``(B, L, p²·3)`` per-patch pixels for a token decoder, else the
        image ``(B, 3, H, W)``; ``mask`` ``(B, h, w)`` gives the patch grid."""
        B, L = mask.shape[0], mask[0].numel()
        if self.token_decoder:
            if self.online_drop_masked:  # visible tokens first: MAE's ids_restore
                return self.neck(tokens, visible_first(mask)[1])
            order = torch.arange(L, device=mask.device).expand(B, L)  # every position
            return self.neck(tokens, order)
        return self.neck(tokens[:, 1:].transpose(1, 2).reshape(B, -1, *mask.shape[1:]))

    def reconstruct(self, img: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The online encoder's reconstruction of ``img`` ``(B, 3, H, W)`` under
        ``mask`` ``(B, h, w)``, as an image ``(B, 3, H, W)`` in the space of the
        targets (normalised pixels; per-patch normalised with ``norm_pix``)."""
        tokens = self.backbone(img, mask, drop_masked=self.online_drop_masked)[0]
        pixels = self.decode(tokens, mask)
        return self.head.unpatchify(pixels) if pixels.dim() == 3 else pixels

    def reconstruction_loss(self, tokens: torch.Tensor, img: torch.Tensor,
                            mask: torch.Tensor) -> torch.Tensor:
        """Decode the online tokens ``(B, 1 + L, C)`` into pixels and compare them
        with ``img`` ``(B, 3, H, W)`` on the patches ``mask`` ``(B, h, w)`` hides."""
        target_mask = mask.flatten(1) if self.token_decoder else mask
        return self.head.loss(self.decode(tokens, mask), img, target_mask)

    def loss(self, inputs: Union[torch.Tensor, List[torch.Tensor]], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Masks -> online encoder -> reconstruct -> momentum encoder -> contrast.

        Args:
            inputs (Tensor | list[Tensor]): Images ``(B, 3, H, W)``; two of them
                when ``two_views=True``.
            data_samples (list[DataSample]): Carry ``mask`` and ``momentum_mask``.

        Returns:
            dict[str, Tensor]: ``loss_rec`` and ``loss_con`` (already × λ).
        """
        if self.two_views and not (isinstance(inputs, list) and len(inputs) == 2):
            raise ValueError('two_views=True needs two views per sample: put MultiView('
                             'num_views=[1, 1]) in the pipeline before the mask generator.')
        online_view, momentum_view = (inputs[0], inputs[1]) if self.two_views else \
            ((inputs[0], inputs[0]) if isinstance(inputs, list) else (inputs, inputs))
        mask = stack_masks(data_samples, 'mask', online_view.device)  # (B, h, w) M1

        # (B, 1 + L, C), or (B, 1 + L / 2, C) with online_drop_masked
        tokens = self.backbone(online_view, mask, drop_masked=self.online_drop_masked)[0]
        losses = dict(loss_rec=self.reconstruction_loss(tokens, online_view, mask))
        if self.con_weight == 0:
            losses['loss_con'] = tokens.new_zeros(())
            return losses

        momentum_mask = stack_masks(data_samples, 'momentum_mask', online_view.device)  # M2
        with torch.no_grad():
            self.momentum_encoder.update_parameters(nn.Sequential(self.backbone, self.projector))
            encoder, projector = self.momentum_encoder.module
            key = self.embed(
                self.encode_momentum(encoder, momentum_view, momentum_mask), projector)
        query = self.embed(tokens, self.projector)
        if self.contrast_level == 'global':
            loss_con = self.contrast_head.loss(query, key)  # (B, D) vs (B', D)
        else:
            loss_con = self.contrast_head.loss(query, key, mask)  # (B, L, D) pairs
        losses['loss_con'] = self.con_weight * loss_con
        return losses


def stack_masks(data_samples: List[DataSample], key: str, device: torch.device) -> torch.Tensor:
    """Stack the per-sample ``key`` masks into a ``(B, h, w)`` tensor on ``device``."""
    try:
        masks = [torch.as_tensor(getattr(ds, key)) for ds in data_samples]
    except AttributeError:
        raise KeyError(f'data samples have no `{key}`: put SymmetricMaskGenerator in the '
                       "pipeline and PackInputs(algorithm_keys=['momentum_mask']).") from None
    return torch.stack(masks).to(device)
