"""Pixel reconstruction loss on the masked patches."""
import torch
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class SymMIMPixelHead(BaseModule):
    """Compare reconstructed and input pixels on the masked patches only.

    Args:
        patch_size (int): Patch size of the encoder in pixels.
        criterion (str): ``'L1'`` (SimMIM) or ``'L2'``. Defaults to ``'L1'``.
        norm_pix (bool): Normalise each target patch by its mean and variance
            (MAE style). Defaults to False.
    """

    def __init__(self, patch_size: int, criterion: str = 'L1', norm_pix: bool = False) -> None:
        super().__init__()
        if criterion not in ('L1', 'L2'):
            raise ValueError(f"`criterion` must be 'L1' or 'L2', got {criterion!r}.")
        self.patch_size = patch_size
        self.norm_pix = norm_pix
        self.loss_module = MODELS.build(
            dict(type='PixelReconstructionLoss', criterion=criterion, channel=3))

    def normalize_patches(self, img: torch.Tensor) -> torch.Tensor:
        """Normalise every ``p × p × C`` patch of ``img`` (B, C, H, W) to zero mean, unit var."""
        B, C, H, W = img.shape
        p = self.patch_size
        patches = img.reshape(B, C, H // p, p, W // p, p)
        mean = patches.mean(dim=(1, 3, 5), keepdim=True)
        var = patches.var(dim=(1, 3, 5), keepdim=True)
        return ((patches - mean) / (var + 1e-6).sqrt()).reshape(B, C, H, W)

    def loss(self, pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Reconstruction loss.

        Args:
            pred (Tensor): Reconstructed pixels ``(B, C, H, W)``.
            target (Tensor): Input pixels ``(B, C, H, W)``.
            mask (Tensor): ``(B, H/p, W/p)``, 1 = masked.
        """
        if self.norm_pix:
            target = self.normalize_patches(target)
        p = self.patch_size
        pixel_mask = mask.repeat_interleave(p, 1).repeat_interleave(p, 2).unsqueeze(1)
        return self.loss_module(pred, target, pixel_mask.to(pred.dtype))  # masked mean
