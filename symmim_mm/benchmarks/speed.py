"""Time, FLOPs and memory of training steps of pretraining configs.

Every model is built from its config as MMEngine's Runner builds it (the top-level
``data_preprocessor`` merged into ``model``, ``init_weights``) and one step is the
model's own ``train_step(data, optim_wrapper)`` with the optimizer wrapper of the
config (``build_optim_wrapper``): forward, backward, gradient clipping, optimizer
step and, for SymMIM, the momentum-encoder update, in the mixed precision that the
config or ``amp`` asks for. Batches come from the config's own training pipeline.
"""
import copy
import gc
import statistics
import time
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.hub import get_config
from mmengine.optim import OptimWrapper, build_optim_wrapper
from mmengine.registry import MODELS, DefaultScope
from torch.utils.flop_counter import FlopCounterMode

from .pipeline import build_pipeline

AMP_DTYPES = {'fp16': 'float16', 'bf16': 'bfloat16'}

# Dense (no sparsity: half the data sheets' sparse figures) bf16 tensor-core peaks, FLOP/s,
# by the first part of the name torch reports that matches: 'NVIDIA H100 PCIe', 'NVIDIA
# H100 NVL', 'NVIDIA H200 NVL'; the SXM parts are 'NVIDIA H100 80GB HBM3', 'NVIDIA H200'.
DENSE_BF16_PEAKS = (('H100 PCIe', 756e12), ('H100 NVL', 835e12), ('H200 NVL', 835e12),
                    ('H100', 989e12), ('H200', 989e12), ('A100', 312e12))


def load_config(path: str, options: Optional[dict] = None) -> Config:
    """``Config.fromfile(path)`` (custom imports included) with ``options`` merged.

    ``path`` may name a config of an installed package, ``'mmpretrain::mae/...py'``
    (MMEngine resolves that form in ``_base_`` only, not in ``fromfile``)."""
    cfg = get_config(path) if '::' in path else Config.fromfile(path)
    if options:
        cfg.merge_from_dict(options)
    return cfg


def build_model(cfg: Config, device: str = 'cpu') -> torch.nn.Module:
    """The config's model as the Runner builds it, initialised, on ``device``."""
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmengine')):
        model = MODELS.build(model_cfg)
    model.init_weights()
    return model.to(device).train()


def optim_wrapper_config(cfg: Config, device: str, amp: Optional[str] = None) -> dict:
    """The config's ``optim_wrapper``; ``amp`` (``'fp16'``/``'bf16'``) turns it into an
    ``AmpOptimWrapper`` of that dtype. MMEngine's ``AmpOptimWrapper`` needs a GPU: on
    a CPU the wrapper becomes a plain (fp32) ``OptimWrapper``, its other settings
    (optimizer, clipping, parameter-wise options) kept."""
    wrapper = copy.deepcopy(cfg.optim_wrapper)
    if amp is not None:
        if amp not in AMP_DTYPES:
            raise ValueError(f'`amp` must be one of {tuple(AMP_DTYPES)}, got {amp!r}.')
        wrapper.update(type='AmpOptimWrapper', dtype=AMP_DTYPES[amp])
    if device == 'cpu' and wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
        wrapper.type = 'OptimWrapper'
        for key in ('loss_scale', 'dtype', 'use_fsdp'):
            wrapper.pop(key, None)
    return wrapper


def build_optimizer(model: torch.nn.Module,
                    cfg: Config,
                    device: str,
                    amp: Optional[str] = None) -> OptimWrapper:
    """``build_optim_wrapper`` on :func:`optim_wrapper_config`, in the config's scope."""
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmengine')):
        return build_optim_wrapper(model, optim_wrapper_config(cfg, device, amp))


def make_batches(cfg: Config,
                 image_path: str,
                 batch_size: int,
                 num: int = 2,
                 pin_memory: bool = False) -> List[dict]:
    """``num`` batches of ``batch_size`` samples of ``image_path`` through the config's
    training pipeline (each sample with its own crop, flip and masks), collated with
    ``default_collate`` as the pretraining data loaders do; images in pinned memory if
    ``pin_memory`` (as the loaders give them to a GPU)."""
    pipeline = build_pipeline(cfg)
    batches = [
        default_collate([pipeline(dict(img_path=image_path)) for _ in range(batch_size)])
        for _ in range(num)
    ]
    if pin_memory:
        for batch in batches:
            inputs = batch['inputs']
            batch['inputs'] = [x.pin_memory()
                               for x in inputs] if isinstance(inputs,
                                                              (list,
                                                               tuple)) else inputs.pin_memory()
    return batches


def sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def train_step(model: torch.nn.Module, optim_wrapper: OptimWrapper, batch: dict,
               device: str) -> float:
    """One ``model.train_step``; returns its wall time in seconds."""
    sync(device)
    start = time.perf_counter()
    model.train_step(batch, optim_wrapper)
    sync(device)
    return time.perf_counter() - start


def time_steps(model: torch.nn.Module,
               optim_wrapper: OptimWrapper,
               batches: Sequence[dict],
               device: str,
               warmup: int = 2,
               repeats: int = 5) -> float:
    """Median seconds of a training step, after ``warmup`` untimed steps; the steps
    cycle through ``batches``."""
    for i in range(warmup):
        train_step(model, optim_wrapper, batches[i % len(batches)], device)
    return statistics.median(
        train_step(model, optim_wrapper, batches[i % len(batches)], device)
        for i in range(repeats))


def count_flops(model: torch.nn.Module, optim_wrapper: OptimWrapper, batch: dict) -> int:
    """FLOPs of one training step (forward and backward: matmuls, convolutions,
    attention), counted by ``torch.utils.flop_counter`` while the step runs."""
    with FlopCounterMode(display=False) as counter:
        model.train_step(batch, optim_wrapper)
    return counter.get_total_flops()


def compile_encoders(model: torch.nn.Module, **kwargs) -> List[str]:
    """``torch.compile`` every ViT encoder of ``model`` in place (its forward only:
    parameter names and checkpoints stay the same); returns their names.

    The encoders are the outermost MMPretrain ``VisionTransformer`` modules, e.g.
    ``backbone`` and SymMIM's ``momentum_encoder.module.0``.
    """
    from mmpretrain.models import VisionTransformer
    names: List[str] = []
    for name, module in model.named_modules():
        inside = any(name.startswith(f'{n}.') for n in names)
        if isinstance(module, VisionTransformer) and not inside:
            module.compile(**kwargs)
            names.append(name)
    return names


def gemm_flops_per_s(device: str = 'cpu',
                     dtype: torch.dtype = torch.float32,
                     n: int = 0,
                     repeats: int = 5) -> float:
    """FLOP/s of a large square matmul: the practical peak of this device."""
    n = n or (8192 if device.startswith('cuda') else 2048)
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    a @ b
    sync(device)
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        sync(device)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best


def dense_bf16_peak(device: str) -> Optional[float]:
    """The GPU's dense bf16 peak FLOP/s from its name (H100/H200 SXM 989, H100 NVL 835,
    H100 PCIe 756 TFLOP/s), or None for a CPU or a GPU not in ``DENSE_BF16_PEAKS``."""
    if not device.startswith('cuda'):
        return None
    name = torch.cuda.get_device_name(device)
    return next((peak for key, peak in DENSE_BF16_PEAKS if key in name), None)


def _status_bytes(field: str) -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) * 1024  # kB
    raise RuntimeError(f'/proc/self/status has no {field}')


def reset_peak_memory(device: str) -> int:
    """Start a peak-memory measurement; returns the memory in use now, in bytes.

    CUDA: allocated memory (peak statistics reset). CPU (Linux): resident memory, its
    peak (``VmHWM``) reset to it; memory freed by earlier work stays in the process's
    heap, so measure each model in a fresh process.
    """
    if device.startswith('cuda'):
        gc.collect()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
        return torch.cuda.memory_allocated(device)
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')
    return _status_bytes('VmRSS')


def peak_memory(device: str) -> int:
    """Peak memory since :func:`reset_peak_memory`, in bytes."""
    if device.startswith('cuda'):
        return torch.cuda.max_memory_allocated(device)
    return _status_bytes('VmHWM')


def step_figures(steps: Dict[str, dict], reference: str, batch_size: int, gemm_peak: float,
                 dense_peak: Optional[float]) -> Dict[str, dict]:
    """Per method: images/s, ratios of step time and memory to ``reference``,
    GFLOP/step, achieved TFLOP/s, MFU against the GEMM and the dense peak.

    Args:
        steps (dict): ``name -> dict(step_s=..., flops=..., memory_bytes=...)``.
    """
    ref = steps[reference]
    rows = {}
    for name, s in steps.items():
        achieved = s['flops'] / s['step_s']
        rows[name] = dict(
            step_s=s['step_s'],
            images_per_s=batch_size / s['step_s'],
            step_ratio=s['step_s'] / ref['step_s'],
            images_per_s_ratio=ref['step_s'] / s['step_s'],
            memory_mib=s['memory_bytes'] / 2**20,
            memory_ratio=s['memory_bytes'] / ref['memory_bytes'],
            gflop_per_step=s['flops'] / 1e9,
            achieved_tflop_s=achieved / 1e12,
            mfu=achieved / gemm_peak,
            mfu_dense_peak=achieved / dense_peak if dense_peak else None)
    return rows
