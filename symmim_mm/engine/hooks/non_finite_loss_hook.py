"""Stop training at the first NaN or infinite loss, before it can reach a checkpoint."""
import math
from typing import Dict, Optional

import torch
from mmengine.dist import all_reduce, get_dist_info
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class StopOnNonFiniteLossHook(Hook):
    """Stop the run with a message when a loss becomes NaN or infinite.

    After every training iteration the losses the model returned (every entry whose
    name contains ``'loss'``) are checked on every rank; if one is not finite on any
    rank, all ranks raise ``FloatingPointError`` together. The hook runs before
    ``CheckpointHook``, so the diverged weights are never written: the last
    checkpoint on disk is the last good one, and the message names it.

    Args:
        interval (int): Check every ``interval`` iterations. Defaults to 1 (the
            check costs one scalar all-reduce in distributed runs).
    """

    priority = 'ABOVE_NORMAL'  # before CheckpointHook ('VERY_LOW')

    def __init__(self, interval: int = 1) -> None:
        if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
            raise ValueError(f'`interval` must be a positive integer, got {interval!r}.')
        self.interval = interval

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[Dict[str, torch.Tensor]] = None) -> None:
        """Raise ``FloatingPointError`` if a loss of this iteration is not finite."""
        if not self.every_n_train_iters(runner, self.interval):
            return
        values = {
            k: float(torch.as_tensor(v).detach().float().mean())
            for k, v in (outputs or {}).items() if 'loss' in k
        }
        bad = {k: v for k, v in values.items() if not math.isfinite(v)}
        rank, world_size = get_dist_info()
        flags = torch.zeros(world_size)
        flags[rank] = float(bool(bad))
        if world_size > 1:
            all_reduce(flags)
        if not flags.any():
            return
        shown = ', '.join(f'{k}={v:.4g}' for k, v in values.items())
        if world_size > 1:
            ranks = ', '.join(str(r) for r in range(world_size) if flags[r] > 0)
            shown = f'on rank {ranks} (rank {rank}: {shown})'
        last = runner.message_hub.get_info('last_ckpt')
        where = (f'The last good checkpoint is {last}; resume from it with '
                 f'`--resume {last}`' if last else 'No checkpoint had been written yet; '
                 'start again')
        raise FloatingPointError(
            f'Non-finite loss at epoch {runner.epoch + 1}, iteration {runner.iter + 1}: '
            f'{shown}. Training stopped '
            f'before these weights could be saved. {where} with a lower learning rate, '
            'gradient clipping (optim_wrapper.clip_grad) or without --amp.')
