"""Test-only hooks, imported by the configs that the robustness tests write."""
import json
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module(force=True)
class LossRecorderHook(Hook):
    """Append every rank's losses of every iteration to ``work_dir/losses_rank{r}.jsonl``
    (MMEngine logs rank 0's only)."""

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        record = {k: float(v) for k, v in outputs.items() if 'loss' in k}
        with open(osp.join(runner.work_dir, f'losses_rank{get_rank()}.jsonl'), 'a') as f:
            f.write(json.dumps(dict(iter=runner.iter + 1, **record)) + '\n')


@HOOKS.register_module(force=True)
class PoisonWeightsHook(Hook):
    """Fault injection: fill the patch embedding with NaN before iteration ``at_iter``."""

    def __init__(self, at_iter: int) -> None:
        self.at_iter = at_iter

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter + 1 == self.at_iter:
            model = getattr(runner.model, 'module', runner.model)
            with torch.no_grad():
                model.backbone.patch_embed.projection.weight.fill_(float('nan'))
