"""Cosine-scheduled EMA whose update is one fused multi-tensor operation."""
from math import pi
from typing import Optional

import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from mmpretrain.models import CosineEMA
from mmpretrain.registry import MODELS


@MODELS.register_module()
class FusedCosineEMA(CosineEMA):
    """MMPretrain's :class:`CosineEMA` (same arguments, schedule and state dict)
    with the parameter update done by one ``torch._foreach_lerp_`` over all tensors
    instead of a Python loop of per-tensor calls.

    ``averaged = (1 - m) * averaged + m * source``, with ``m`` (the weight of the
    new parameters) annealed by cosine from ``momentum`` to ``end_momentum`` over
    the ``max_iters`` that the Runner's message hub holds (read at the first
    update). ``m`` is computed from the ``steps`` buffer as a tensor (1 at the first
    update: a copy; 0 between ``interval`` updates), so the update has no Python
    branch on a tensor and compiles without a graph break.
    """

    max_iters: Optional[float] = None

    def momentum_at(self, steps: torch.Tensor) -> torch.Tensor:
        """Weight of the source parameters at update ``steps`` (a tensor)."""
        if self.max_iters is None:
            max_iters = MessageHub.get_current_instance().get_info('max_iters')
            if max_iters is None:
                raise RuntimeError("CosineEMA needs 'max_iters' in the message hub (the "
                                   "Runner sets it; set it yourself outside a Runner).")
            self.max_iters = float(max_iters)
        annealing = (torch.cos(pi * steps.double() / self.max_iters) + 1) / 2
        return self.end_momentum - (self.end_momentum - self.momentum) * annealing

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """Average ``model``'s parameters into this copy (buffers are copied)."""
        steps = self.steps
        weight = torch.where(steps == 0, 1., self.momentum_at(steps))  # first: a copy
        weight = torch.where(steps % self.interval == 0, weight, 0.).float()
        source = model.state_dict() if self.update_buffers else dict(model.named_parameters())
        names = [k for k, p in self.avg_parameters.items() if p.dtype.is_floating_point]
        averaged = [self.avg_parameters[k].data for k in names]
        new = [source[k].data.to(a.device) for k, a in zip(names, averaged)]
        torch._foreach_lerp_(averaged, new, weight.to(averaged[0].device))
        if not self.update_buffers:
            for b_avg, b_src in zip(self.module.buffers(), model.buffers()):
                b_avg.data.copy_(b_src.data.to(b_avg.device))
        self.steps += 1
