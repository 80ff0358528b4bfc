"""Timing, FLOP and memory measurements of one pretraining step."""
import contextlib
import os
import statistics
import tempfile
import time
from typing import Callable, Dict, List

import cv2
import numpy as np
import torch
from mmcv.transforms import Compose
from torch.utils.flop_counter import FlopCounterMode

from .methods import build_mask_transform, build_method, loss_of, make_samples


def autocast(device: str, bf16: bool):
    """bf16 autocast on ``device`` when asked, else a no-op context."""
    if not bf16:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device, dtype=torch.bfloat16)


def sync(device: str) -> None:
    if device == 'cuda':
        torch.cuda.synchronize()


class StepRunner:
    """One method ready to train: model, AdamW, fixed images, its mask transform.

    ``step()`` runs forward, backward and the optimizer step (the EMA update of
    SymMIM's momentum encoder happens inside its forward). Fresh masks are drawn
    before the timer starts, as the data pipeline would.
    """

    def __init__(self, method: str, arch: str, img_size: int, patch_size: int,
                 batch_size: int, device: str = 'cpu', bf16: bool = False) -> None:
        self.method, self.device, self.bf16 = method, device, bf16
        self.model = build_method(method, arch, img_size, patch_size).to(device)
        self.model.train()
        self.optim = torch.optim.AdamW(self.model.parameters(), lr=1e-4, weight_decay=0.05)
        gen = torch.Generator().manual_seed(0)
        self.images = torch.randint(0, 256, (batch_size, 3, img_size, img_size),
                                    generator=gen).float().to(device)
        self.mask_transform = build_mask_transform(method, img_size, patch_size)
        self.batch_size = batch_size

    def samples(self):
        return make_samples(self.mask_transform, self.batch_size)

    def step(self, samples=None) -> float:
        """One training step; returns its wall time in seconds."""
        samples = self.samples() if samples is None else samples
        sync(self.device)
        start = time.perf_counter()
        with autocast(self.device, self.bf16):
            loss, _ = loss_of(self.model, self.images, samples)
        self.optim.zero_grad(set_to_none=True)
        loss.backward()
        self.optim.step()
        sync(self.device)
        return time.perf_counter() - start

    def flops(self) -> int:
        """FLOPs of one forward + backward (matmuls, convs, attention)."""
        samples = self.samples()
        with FlopCounterMode(display=False) as counter:
            with autocast(self.device, self.bf16):
                loss, _ = loss_of(self.model, self.images, samples)
            loss.backward()
        self.optim.zero_grad(set_to_none=True)
        return counter.get_total_flops()


def time_interleaved(runners: List[StepRunner], warmup: int, repeats: int) -> Dict[str, float]:
    """Median step time of each runner, steps interleaved round-robin so that
    machine noise hits every method alike; warm-up steps are not timed."""
    for _ in range(warmup):
        for r in runners:
            r.step()
    times = {r.method: [] for r in runners}
    for _ in range(repeats):
        for r in runners:
            times[r.method].append(r.step())
    return {m: statistics.median(t) for m, t in times.items()}


def gemm_flops_per_s(device: str = 'cpu', bf16: bool = False, n: int = 0,
                     repeats: int = 5) -> float:
    """FLOP/s of a large square matmul: the machine's practical peak."""
    n = n or (8192 if device == 'cuda' else 2048)
    dtype = torch.bfloat16 if bf16 else torch.float32
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


def _status_bytes(field: str) -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) * 1024  # kB
    raise RuntimeError(f'/proc/self/status has no {field}')


def reset_peak_rss() -> int:
    """Reset this process's peak RSS (Linux ``VmHWM``) to the current RSS; return it."""
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')
    return _status_bytes('VmRSS')


def training_memory(method: str, arch: str, img_size: int, patch_size: int,
                    batch_size: int, device: str = 'cpu', bf16: bool = False,
                    steps: int = 3) -> int:
    """Memory a method's training takes: parameters, EMA copy, gradients,
    optimizer state and the peak of the activations, in bytes.

    On CUDA: peak allocated memory. On the CPU (Linux): peak RSS minus the RSS
    before the model was built; run it in a fresh process per method, as memory
    freed by one method stays in this process's heap.
    """
    if device == 'cuda':
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    else:
        base = reset_peak_rss()
    runner = StepRunner(method, arch, img_size, patch_size, batch_size, device, bf16)
    for _ in range(steps):
        runner.step()
    if device == 'cuda':
        return torch.cuda.max_memory_allocated() - base
    return _status_bytes('VmHWM') - base


def pipeline_times(img_size: int, patch_size: int, repeats: int = 200) -> Dict[str, float]:
    """Per-sample seconds of SymmetricMaskGenerator and of the rest of the ImageNet
    pretraining pipeline (JPEG decode, RandomResizedCrop, flip, packing)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'img.jpg')
        rng = np.random.default_rng(0)
        cv2.imwrite(path, rng.integers(0, 256, (375, 500, 3), dtype=np.uint8))
        rest = [dict(type='LoadImageFromFile'),
                dict(type='RandomResizedCrop', scale=img_size, crop_ratio_range=(0.67, 1.0),
                     backend='pillow', interpolation='bicubic'),
                dict(type='RandomFlip', prob=0.5)]
        mask = dict(type='SymmetricMaskGenerator', input_size=img_size,
                    patch_size=patch_size, block_size=2 * patch_size)
        pack = dict(type='PackInputs', algorithm_keys=['momentum_mask'])
        from mmpretrain.registry import TRANSFORMS
        head, mask_t, pack_t = Compose(rest), TRANSFORMS.build(mask), TRANSFORMS.build(pack)

        def timed(fn: Callable[[], dict]) -> float:
            start = time.perf_counter()
            for _ in range(repeats):
                fn()
            return (time.perf_counter() - start) / repeats

        sample = head(dict(img_path=path))
        t_head = timed(lambda: head(dict(img_path=path)))
        t_mask = timed(lambda: mask_t.transform(dict(sample)))
        t_pack = timed(lambda: pack_t.transform(mask_t.transform(dict(sample))))
    return dict(mask_s=t_mask, pipeline_s=t_head + t_pack, mask_fraction=t_mask / (t_head + t_pack))
