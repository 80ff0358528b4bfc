"""The pretraining methods compared by the benchmarks, built from registered modules.

Every method is an MMPretrain algorithm with the same encoder size:

- ``symmim``: SymMIM as in its configs (literal momentum pass);
- ``symmim_fast``: SymMIM whose momentum encoder drops the M2-masked patches;
- ``symmim_lambda0``: SymMIM with λ = 0 (pure MIM, no momentum branch);
- ``symmim_random``: SymMIM with random masks of ratio 0.5 (``mask_mode='random'``);
- ``simmim``: a SimMIM-style ViT — the same ``SymMIMViT`` with random block masks
  (ratio 0.6, blocks of 2 × 2 patches), linear decoder, L1 loss, no momentum encoder;
- ``mae``: MMPretrain's MAE (mask ratio 0.75, pixel-normalised L2, light decoder).
"""
import copy
from typing import Dict, List, Tuple

import numpy as np
import torch
from mmpretrain.registry import MODELS, TRANSFORMS
from mmpretrain.structures import DataSample

METHODS = ('symmim', 'symmim_fast', 'symmim_lambda0', 'symmim_random', 'simmim', 'mae')

# name -> (VisionTransformer arch, MAE decoder (dims, depth, heads))
ARCHS = {
    'tiny': ('deit-tiny', (256, 4, 8)),
    'small': ('deit-small', (256, 4, 8)),
    'base': ('base', (512, 8, 16)),
    'digits': (dict(embed_dims=96, num_layers=6, num_heads=3, feedforward_channels=384),
               (64, 2, 2)),
}
PROJ = {'digits': (512, 128)}  # projector/predictor widths; MoCo v3's (4096, 256) otherwise


def arch_settings(arch: str) -> Tuple[object, int]:
    """The VisionTransformer ``arch`` and embedding width of a benchmark size."""
    if arch not in ARCHS:
        raise ValueError(f'`arch` must be one of {tuple(ARCHS)}, got {arch!r}.')
    vit_arch = ARCHS[arch][0]
    dims = vit_arch['embed_dims'] if isinstance(vit_arch, dict) else \
        {'deit-tiny': 192, 'deit-small': 384, 'base': 768}[vit_arch]
    return vit_arch, dims


def build_method(method: str, arch: str, img_size: int, patch_size: int,
                 mean: float = 127.5, std: float = 64.) -> torch.nn.Module:
    """Build one method's algorithm (with its data preprocessor), initialised."""
    if method not in METHODS:
        raise ValueError(f'`method` must be one of {METHODS}, got {method!r}.')
    vit_arch, dims = arch_settings(arch)
    pre = dict(type='SelfSupDataPreprocessor', mean=[mean] * 3, std=[std] * 3)
    vit = dict(arch=copy.deepcopy(vit_arch), img_size=img_size, patch_size=patch_size)
    if method.startswith('symmim'):
        hidden, out = PROJ.get(arch, (4096, 256))
        cfg = dict(type='SymMIM', backbone=dict(type='SymMIMViT', out_type='raw', **vit),
                   proj_hidden=hidden, proj_out=out, data_preprocessor=pre,
                   momentum_drop_masked=method == 'symmim_fast',
                   con_weight=0. if method == 'symmim_lambda0' else 1.)
    elif method == 'simmim':
        cfg = dict(type='SimMIM', backbone=dict(type='SymMIMViT', out_type='featmap', **vit),
                   neck=dict(type='SimMIMLinearDecoder', in_channels=dims,
                             encoder_stride=patch_size),
                   head=dict(type='SimMIMHead', patch_size=patch_size,
                             loss=dict(type='PixelReconstructionLoss', criterion='L1',
                                       channel=3)),
                   data_preprocessor=pre)
    else:
        dec_dims, dec_depth, dec_heads = ARCHS[arch][1]
        cfg = dict(type='MAE',
                   backbone=dict(type='MAEViT', mask_ratio=0.75, **vit),
                   neck=dict(type='MAEPretrainDecoder', num_patches=(img_size // patch_size)**2,
                             patch_size=patch_size, in_chans=3, embed_dim=dims,
                             decoder_embed_dim=dec_dims, decoder_depth=dec_depth,
                             decoder_num_heads=dec_heads, mlp_ratio=4),
                   head=dict(type='MAEPretrainHead', norm_pix=True, patch_size=patch_size,
                             loss=dict(type='PixelReconstructionLoss', criterion='L2')),
                   data_preprocessor=pre)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def build_mask_transform(method: str, img_size: int, patch_size: int):
    """The mask transform a method's pipeline ends with (``None`` for MAE)."""
    if method == 'mae':
        return None
    if method == 'simmim':
        return TRANSFORMS.build(dict(type='SimMIMMaskGenerator', input_size=img_size,
                                     mask_patch_size=2 * patch_size,
                                     model_patch_size=patch_size, mask_ratio=0.6))
    mode = dict(mask_mode='random', mask_ratio=0.5) if method == 'symmim_random' else {}
    return TRANSFORMS.build(dict(type='SymmetricMaskGenerator', input_size=img_size,
                                 patch_size=patch_size, block_size=2 * patch_size, **mode))


def make_samples(mask_transform, batch_size: int) -> List[DataSample]:
    """Data samples carrying a fresh ``mask`` (and ``momentum_mask``) each."""
    samples = []
    for _ in range(batch_size):
        sample = DataSample()
        if mask_transform is not None:
            r = mask_transform.transform({})
            sample.set_mask(np.asarray(r['mask']))
            if 'momentum_mask' in r:
                sample.set_field(r['momentum_mask'], 'momentum_mask')
        samples.append(sample)
    return samples


def loss_of(model: torch.nn.Module, images: torch.Tensor,
            samples: List[DataSample]) -> Tuple[torch.Tensor, Dict[str, float]]:
    """Preprocess a uint8-range batch ``(B, 3, H, W)``, return (total loss, parts)."""
    data = model.data_preprocessor(dict(inputs=images, data_samples=samples), True)
    losses = model(**data, mode='loss')
    total = sum(v for k, v in losses.items() if 'loss' in k)
    return total, {k: float(v.detach()) for k, v in losses.items()}
