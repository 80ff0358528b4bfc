"""Patch-level InfoNCE between online and momentum features (ConMIM style)."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class SymMIMPatchContrastHead(BaseModule):
    """Each masked online patch must pick the momentum feature at its own position
    among all positions of the same image.

    Args:
        predictor (dict): Config of the predictor applied to every online token.
        temperature (float): Softmax temperature. Defaults to 0.1.
    """

    contrast_level = 'patch'  # SymMIM projects every patch token, not the CLS token

    def __init__(self, predictor: dict, temperature: float = 0.1) -> None:
        super().__init__()
        self.predictor = MODELS.build(predictor)
        self.temperature = temperature

    def loss(self, online: torch.Tensor, momentum: torch.Tensor,
             mask: torch.Tensor) -> torch.Tensor:
        """InfoNCE over positions.

        Args:
            online (Tensor): Projected online patch features ``(B, L, D)``.
            momentum (Tensor): Projected momentum patch features ``(B, L, D)``.
            mask (Tensor): Online mask ``(B, h, w)`` with ``h * w = L``, 1 = masked;
                only masked positions are queries.
        """
        B, L, _ = online.shape
        pred = self.predictor([online.flatten(0, 1)])[0].view(B, L, -1)
        pred = F.normalize(pred, dim=-1)
        target = F.normalize(momentum, dim=-1)
        logits = torch.einsum('bld,bmd->blm', pred, target) / self.temperature  # (B, L, L)
        labels = torch.arange(L, device=logits.device).expand(B, L)
        queries = mask.flatten(1).bool()
        return F.cross_entropy(logits[queries].float(), labels[queries])
