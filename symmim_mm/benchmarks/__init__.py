"""Building blocks of the tools in ``tools/benchmarks/``."""
from .pipeline import (build_pipeline, image_files, mask_share, pipeline_config,
                       transform_seconds, write_photo)
from .speed import (build_model, build_optimizer, compile_encoders, count_flops,
                    dense_bf16_peak, gemm_flops_per_s, load_config, make_batches,
                    optim_wrapper_config, peak_memory, reset_peak_memory, summarise,
                    time_steps, train_step)

__all__ = ['build_model', 'build_optimizer', 'build_pipeline', 'compile_encoders',
           'count_flops', 'dense_bf16_peak', 'gemm_flops_per_s', 'image_files', 'load_config',
           'make_batches', 'mask_share', 'optim_wrapper_config', 'peak_memory',
           'pipeline_config', 'reset_peak_memory', 'summarise', 'time_steps',
           'train_step', 'transform_seconds', 'write_photo']
