"""Pretraining and probing runs of the equal-budget benchmark, all through mmengine's Runner.

A run is a shipped config, loaded with :func:`load_run_config`, given a work dir, a seed
and a length in steps (:func:`set_num_iters` lays the config's warm-up and cosine
schedule over it), then trained by ``Runner.train()``. Seconds of pretraining are the
sum of the per-step wall times that MMEngine's ``IterTimerHook`` records (data loading
included); :func:`seconds_per_iter` measures them for several configs side by side, so
that a budget of seconds can be turned into steps before the runs start.
"""
import copy
import os.path as osp
import statistics
import time
from typing import Dict, List, Optional

from mmengine.config import Config
from mmengine.runner import Runner

from ..evaluation import knn_evaluate

SCHEDULE_KEYS = ('begin', 'end', 'T_max')


def load_run_config(config: str,
                    work_dir: str,
                    seed: int,
                    cfg_options: Optional[dict] = None) -> Config:
    """A config ready for one quiet run: its own work dir and seed, WARNING-level logs."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.work_dir = work_dir
    cfg.experiment_name = f'{osp.basename(work_dir)}_{time.strftime("%Y%m%d_%H%M%S")}_{seed}'
    cfg.randomness = dict(cfg.get('randomness', {}), seed=seed)
    cfg.log_level = 'WARNING'
    if cfg.get('data_preprocessor') is not None and isinstance(cfg.get('model'), dict):
        cfg.model.setdefault('data_preprocessor', copy.deepcopy(cfg.data_preprocessor))
    return cfg


def set_num_iters(cfg: Config, num_iters: int) -> None:
    """Set an ``IterBasedTrainLoop`` config to ``num_iters`` steps, scaling the begin,
    end and ``T_max`` of every step-based ``param_scheduler`` in proportion."""
    loop = cfg.train_cfg
    if loop.get('type') != 'IterBasedTrainLoop':
        raise ValueError(f'train_cfg.type must be IterBasedTrainLoop to set a length in steps, '
                         f'got {loop.get("type")!r}.')
    scale = num_iters / loop.max_iters
    schedulers = cfg.get('param_scheduler') or []
    for sched in schedulers if isinstance(schedulers, list) else [schedulers]:
        if sched.get('by_epoch', True):
            raise ValueError(f'param_scheduler {sched.get("type")} must be step-based '
                             '(by_epoch=False) to be laid over a number of steps.')
        for key in SCHEDULE_KEYS:
            if key in sched:
                sched[key] = max(1 if key != 'begin' else 0, round(sched[key] * scale))
    loop.max_iters = int(num_iters)


def iters_per_epoch(cfg: Config) -> int:
    """Steps in one pass over the training set (drops nothing: the last batch counts)."""
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import DATASETS
    dataset_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    dataset_cfg.pop('pipeline', None)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmpretrain')):
        size = len(DATASETS.build(dataset_cfg))
    return -(-size // cfg.train_dataloader.batch_size)


def train(cfg: Config) -> Dict[str, float]:
    """Run ``cfg`` through the Runner. Returns the steps, the pretraining seconds
    (sum of ``IterTimerHook``'s per-step times) and the last checkpoint's path."""
    runner = Runner.from_cfg(cfg)
    runner.train()
    times = runner.message_hub.get_scalar('train/time').data[0]
    return dict(
        iters=int(runner.iter),
        train_time_s=float(times.sum()),
        step_times=[float(t) for t in times],
        checkpoint=osp.join(cfg.work_dir, f'iter_{runner.iter}.pth'))


def seconds_per_iter(configs: Dict[str, str],
                     work_dir: str,
                     steps: int = 20,
                     warmup: int = 5,
                     rounds: int = 2,
                     options: Optional[dict] = None) -> Dict[str, float]:
    """Median seconds per pretraining step of each config, measured through the
    Runner in ``rounds`` interleaved rounds (so machine noise hits all alike);
    the first ``warmup`` steps of each round are not counted."""
    samples: Dict[str, List[float]] = {name: [] for name in configs}
    for r in range(rounds):
        for name, path in configs.items():
            cfg = load_run_config(path, osp.join(work_dir, f'{name}_{r}'), r, options)
            set_num_iters(cfg, warmup + steps)
            cfg.default_hooks.checkpoint = dict(
                type='SafeCheckpointHook', interval=-1, save_last=False)
            samples[name] += train(cfg)['step_times'][warmup:]
    return {name: statistics.median(times) for name, times in samples.items()}


def probe_config(config: str,
                 checkpoint: Optional[str],
                 work_dir: str,
                 seed: int,
                 split: str,
                 prefix: str = 'backbone.') -> Config:
    """An evaluation config whose backbone starts from ``checkpoint`` (None: random
    init), evaluated on ``split`` of its test dataloader's dataset."""
    cfg = load_run_config(config, work_dir, seed)
    cfg.model.backbone.init_cfg = (
        dict(type='Pretrained', checkpoint=checkpoint, prefix=prefix) if checkpoint else None)
    cfg.test_dataloader.dataset.split = split
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    return cfg


def knn_probe(cfg: Config, k: int = 20, temperature: float = 0.07) -> float:
    """kNN top-1 (%) of the frozen backbone of an evaluation config."""
    return knn_evaluate(cfg, k, temperature)['top1']


def trained_probe(cfg: Config, metric: str = 'accuracy/top1') -> float:
    """Train an evaluation config (linear probe or fine-tune) through the Runner,
    then test it; returns ``metric`` (top-1 %)."""
    runner = Runner.from_cfg(cfg)
    runner.train()
    return float(runner.test()[metric])
