"""Evaluate a checkpoint with the test loop of an OpenMMLab config.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out results.pkl]

CHECKPOINT (and any ``init_cfg=dict(type='Pretrained')`` checkpoint of the config) is
checked first: one that holds pickled Python objects is refused with a message naming
it; ``--trust-checkpoint CHECKPOINT`` lets that one file load.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import symmim_mm  # noqa: F401  (registers SymMIM's modules)
from symmim_mm.utils import add_trust_argument, checked_checkpoints, setup_cpu_distributed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (evaluate) a model')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where logs and metrics go')
    parser.add_argument('--out', help='dump the predictions to this pickle file')
    add_trust_argument(parser)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. test_dataloader.batch_size=8')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if cfg.get('test_dataloader') is None:
        raise SystemExit(f'{args.config}: has no test_dataloader/test_evaluator to test with '
                         '(pretraining configs have none: evaluate a fine-tune, linear-probe '
                         'or kNN config instead).')
    cfg.load_from = args.checkpoint
    if args.out:
        cfg.test_evaluator = [*cfg.test_evaluator] if isinstance(cfg.test_evaluator, list) \
            else [cfg.test_evaluator]
        cfg.test_evaluator.append(dict(type='DumpResults', out_file_path=args.out))
    setup_cpu_distributed(cfg, args.launcher)
    with checked_checkpoints(cfg):
        Runner.from_cfg(cfg).test()


if __name__ == '__main__':
    main()
