"""Train a model from an OpenMMLab config (SymMIM pretraining or any MMPretrain config).

Same flags as MMPretrain's ``tools/train.py``:

    python tools/train.py configs/symmim/symmim_vit-tiny-p4_digits-32px.py
    python tools/train.py CONFIG --resume            # latest checkpoint in the work dir
    torchrun --nproc_per_node=8 tools/train.py CONFIG --launcher pytorch

Before the Runner is built, the training data settings are checked
(:func:`symmim_mm.datasets.check_train_config`): a wrong one stops the run at once
with a message naming its config key. Every checkpoint the config makes the Runner
read (``--resume``, ``load_from``, ``init_cfg=dict(type='Pretrained')``) is checked
first: one that holds pickled Python objects is refused with a message naming it;
``--trust-checkpoint PATH`` lets that one file load.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, ConfigDict, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

import symmim_mm  # noqa: F401  (registers SymMIM's modules)
from symmim_mm.datasets import ConfigError, check_train_config
from symmim_mm.utils import (add_trust_argument, checked_checkpoints, find_resumable_checkpoint,
                             setup_cpu_distributed)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--work-dir', help='where logs and checkpoints go '
        '(default: ./work_dirs/<config name>)')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint; without a path, from the '
        'latest checkpoint in the work dir')
    add_trust_argument(parser)
    parser.add_argument(
        '--amp',
        nargs='?',
        const='fp16',
        choices=['fp16', 'bf16'],
        help='automatic mixed precision: fp16 (dynamic loss scaling, '
        'the default) or bf16')
    parser.add_argument(
        '--no-validate', action='store_true', help='do not evaluate during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr by actual batch / auto_scale_lr.base_batch_size')
    parser.add_argument('--no-pin-memory', action='store_true')
    parser.add_argument('--no-persistent-workers', action='store_true')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. train_cfg.max_epochs=2')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line flags to the config."""
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        cfg.optim_wrapper.dtype = 'bfloat16' if args.amp == 'bf16' else 'float16'
    if args.resume == 'auto':  # the latest checkpoint, even if `last_checkpoint` is lost
        cfg.resume, cfg.load_from = True, find_resumable_checkpoint(cfg.work_dir)
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    loaders = [
        f for f in ('train_dataloader', 'val_dataloader', 'test_dataloader')
        if cfg.get(f) is not None
    ]
    for field in loaders:
        loader = ConfigDict(
            pin_memory=True, persistent_workers=True, collate_fn=dict(type='default_collate'))
        loader.update(cfg[field])
        if args.no_pin_memory:
            loader.pin_memory = False
        if args.no_persistent_workers:
            loader.persistent_workers = False
        cfg[field] = loader
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    for field in loaders:  # torch refuses persistent workers without workers
        if cfg[field].get('num_workers', 0) == 0:
            cfg[field].persistent_workers = False
    return cfg


def main() -> None:
    args = parse_args()
    cfg = merge_args(Config.fromfile(args.config), args)
    try:
        check_train_config(cfg)
    except ConfigError as err:
        raise SystemExit(f'{args.config}: {err}') from None
    setup_cpu_distributed(cfg, args.launcher)
    with checked_checkpoints(cfg):
        runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
        runner.train()


if __name__ == '__main__':
    main()
