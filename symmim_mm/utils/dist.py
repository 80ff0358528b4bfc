"""Multi-process training without GPUs (gloo), through mmengine's own DDP wrapper."""
import os

import torch
import torch.distributed as torch_dist
from mmengine.config import Config


def setup_cpu_distributed(cfg: Config, launcher: str) -> None:
    """Prepare a ``pytorch`` (torchrun) launch on a machine without CUDA.

    mmengine 0.10.7 calls ``torch.cuda.set_device`` when it initialises the process
    group and gives DDP ``device_ids=[LOCAL_RANK]``; both fail without a GPU. This
    initialises the process group with ``gloo`` first (the Runner then skips its
    own initialisation) and builds ``MMDistributedDataParallel`` with
    ``device_ids=None``. Does nothing with CUDA, or for other launchers.
    """
    if launcher != 'pytorch' or torch.cuda.is_available():
        return
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(
            backend='gloo', rank=int(os.environ['RANK']), world_size=int(os.environ['WORLD_SIZE']))
    wrapper = dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper.update(cfg.get('model_wrapper_cfg') or {})
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
