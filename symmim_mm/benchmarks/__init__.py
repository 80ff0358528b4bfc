"""The equal-budget benchmark's runs (through mmengine's Runner) and its reports."""
from .report import markdown, plot, summarise
from .runs import (iters_per_epoch, knn_probe, load_run_config, probe_config, seconds_per_iter,
                   set_num_iters, train, trained_probe)

__all__ = [
    'iters_per_epoch', 'knn_probe', 'load_run_config', 'markdown', 'plot', 'probe_config',
    'seconds_per_iter', 'set_num_iters', 'summarise', 'train', 'trained_probe'
]
