"""What a pretrained SymMIM model makes of an image under its online mask M1."""
from typing import Dict, Optional, Union

import numpy as np
import torch
from matplotlib.figure import Figure
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS, TRANSFORMS
from mmpretrain.structures import DataSample

from ..datasets import SymmetricMaskGenerator
from ..utils.checkpoint import load_checkpoint_tensors
from .figures import image_row, upsample_mask
from .images import fit_image

MASKED_GRAY = 128  # how masked patches are drawn in the encoder's input


def mask_generator_from_config(cfg: Config) -> SymmetricMaskGenerator:
    """The ``SymmetricMaskGenerator`` of ``cfg``'s training pipeline."""
    pipeline = cfg.get('train_dataloader', {}).get('dataset', {}).get('pipeline') or []
    for transform in pipeline:
        if transform.get('type') == 'SymmetricMaskGenerator':
            return TRANSFORMS.build(transform)
    raise ValueError('train_dataloader.dataset.pipeline has no SymmetricMaskGenerator.')


def load_symmim(config: Union[str, Config], checkpoint: str):
    """A SymMIM model of ``config`` (eval mode) with the weights of ``checkpoint``
    (read with ``weights_only=True``, loaded strictly), and the config's mask
    generator."""
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmpretrain')):
        model_cfg = cfg.model.copy()
        if cfg.get('data_preprocessor') is not None:  # as the Runner does
            model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
        model = MODELS.build(model_cfg)
        generator = mask_generator_from_config(cfg)
    model.load_state_dict(load_checkpoint_tensors(checkpoint), strict=True)
    return model.eval(), generator


@torch.no_grad()
def reconstruct(model: torch.nn.Module, image: np.ndarray,
                generator: SymmetricMaskGenerator) -> Dict[str, np.ndarray]:
    """Encode ``image`` under M1, decode every patch, and return the pictures.

    Args:
        model (SymMIM): A (pretrained) SymMIM model.
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB, any size (fitted to the
            generator's ``input_size``).
        generator (SymmetricMaskGenerator): Gives M1.

    Returns:
        dict: ``original``, ``masked`` (what the online encoder sees, masked patches
        grey), ``reconstruction`` (the decoder's output everywhere) and ``pasted``
        (the reconstruction in the masked patches, the original in the visible
        ones), each ``(H, W, 3)`` uint8 RGB; ``mask`` ``(h, w)`` and ``l1``, the mean
        absolute error on masked pixels in normalised units (``loss_rec`` for
        an L1 head without ``norm_pix``).
    """
    rgb = fit_image(image, generator.input_size)
    mask = generator.transform({})['mask']
    pre = model.data_preprocessor
    loaded = np.ascontiguousarray(rgb[..., ::-1])  # as LoadImageFromFile gives it
    data = pre(
        dict(inputs=torch.from_numpy(loaded).permute(2, 0, 1)[None], data_samples=[DataSample()]),
        False)
    x = data['inputs']  # (1, 3, H, W), normalised, in the model's channel order
    mask_t = torch.from_numpy(mask)[None]
    rec = model.reconstruct(x, mask_t)
    if getattr(model.head, 'norm_pix', False):  # back from per-patch normalised targets
        rec = denormalize_patches(rec, x, model.head.patch_size)
    pixel_mask = torch.from_numpy(upsample_mask(mask, rgb.shape[:2]))[None, None].float()
    l1 = float(((rec - x).abs() * pixel_mask).sum() / (pixel_mask.sum() * 3))

    def to_pixels(t: torch.Tensor) -> np.ndarray:  # (H, W, 3) 0-255, the model's order
        pixels = t[0] * pre.std + pre.mean if hasattr(pre, 'mean') else t[0]
        return pixels.permute(1, 2, 0).round().clamp(0, 255).byte().numpy()

    # did the preprocessor turn the loader's BGR into RGB (``to_rgb``)? Its output says.
    seen = to_pixels(x).astype(int)
    swap = np.abs(seen - rgb).mean() <= np.abs(seen - loaded).mean()

    def to_rgb(t: torch.Tensor) -> np.ndarray:
        out = to_pixels(t)
        return out if swap else np.ascontiguousarray(out[..., ::-1])

    original, reconstruction = to_rgb(x), to_rgb(rec)
    masked_pixels = upsample_mask(mask, rgb.shape[:2])[..., None].astype(bool)
    return dict(
        original=original,
        reconstruction=reconstruction,
        masked=np.where(masked_pixels, np.uint8(MASKED_GRAY), original),
        pasted=np.where(masked_pixels, reconstruction, original),
        mask=mask,
        l1=l1)


def denormalize_patches(pred: torch.Tensor, target: torch.Tensor, patch: int) -> torch.Tensor:
    """Undo per-patch normalisation (``norm_pix=True``) with ``target``'s patch statistics."""
    B, C, H, W = target.shape
    patches = target.reshape(B, C, H // patch, patch, W // patch, patch)
    mean = patches.mean(dim=(1, 3, 5), keepdim=True)
    std = (patches.var(dim=(1, 3, 5), keepdim=True) + 1e-6).sqrt()
    return (pred.reshape(patches.shape) * std + mean).reshape(B, C, H, W)


def plot_reconstruction(pictures: Dict[str, np.ndarray], title: Optional[str] = None) -> Figure:
    """Four panels: original, masked input, reconstruction, reconstruction pasted into
    the masked patches."""
    masked = float(pictures['mask'].mean())
    return image_row(
        [pictures['original'], pictures['masked'], pictures['reconstruction'], pictures['pasted']],
        [
            'original', f'online input (M1, {masked:.0%} masked)',
            f'reconstruction (masked L1 {pictures["l1"]:.3f})', 'visible + reconstruction'
        ], title)
