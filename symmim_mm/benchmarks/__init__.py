"""Building blocks of ``tools/benchmarks/pretrain_speed.py`` and ``equal_budget.py``."""
from .methods import METHODS, build_mask_transform, build_method, loss_of, make_samples
from .speed import (StepRunner, gemm_flops_per_s, pipeline_times, time_interleaved,
                    training_memory)

__all__ = ['METHODS', 'StepRunner', 'build_mask_transform', 'build_method', 'gemm_flops_per_s',
           'loss_of', 'make_samples', 'pipeline_times', 'time_interleaved', 'training_memory']
