"""Cosine-scheduled EMA whose update is one fused multi-tensor operation."""
from math import cos, pi

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
    the ``max_iters`` that the Runner's message hub holds.
    """

    def momentum_at(self, steps: int) -> float:
        """Weight of the source parameters at update ``steps``."""
        max_iters = MessageHub.get_current_instance().get_info('max_iters')
        if max_iters is None:
            raise RuntimeError("CosineEMA needs 'max_iters' in the message hub (the Runner "
                               "sets it; set it yourself outside a Runner).")
        annealing = (cos(pi * steps / float(max_iters)) + 1) / 2
        return self.end_momentum - (self.end_momentum - self.momentum) * annealing

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """Average ``model``'s parameters into this copy (buffers are copied)."""
        steps = int(self.steps)
        if steps == 0 or steps % self.interval:
            return super().update_parameters(model)  # first copy / skipped step
        source = model.state_dict() if self.update_buffers else dict(model.named_parameters())
        names = [k for k, p in self.avg_parameters.items() if p.dtype.is_floating_point]
        averaged = [self.avg_parameters[k].data for k in names]
        new = [source[k].data.to(a.device) for k, a in zip(names, averaged)]
        torch._foreach_lerp_(averaged, new, self.momentum_at(steps))
        if not self.update_buffers:
            for b_avg, b_src in zip(self.module.buffers(), model.buffers()):
                b_avg.data.copy_(b_src.data.to(b_avg.device))
        self.steps += 1
