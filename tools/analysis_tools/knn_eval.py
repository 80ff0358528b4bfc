"""kNN evaluation (k = 20, cosine, temperature-weighted votes) of a frozen backbone.

    python tools/analysis_tools/knn_eval.py CONFIG [--checkpoint CKPT] [--k 20]

CONFIG is an MMPretrain classification config (``ImageClassifier``): its
``train_dataloader`` is the neighbour bank and its ``test_dataloader`` the queries
(both should use the test pipeline). ``--checkpoint`` loads a SymMIM (or any
MMPretrain) checkpoint into the backbone through ``init_cfg`` with
``prefix='backbone.'`` (``--prefix`` to change it, e.g. the momentum encoder's
``momentum_encoder.module.0.``); without it the backbone stays randomly initialised.
The checkpoint is checked first and read with ``weights_only=True``;
``--trust-checkpoint CKPT`` lets a legacy file that holds pickled objects load (only
that file).
"""
import argparse
import time

import torch
from mmengine.config import Config, DictAction

import symmim_mm  # noqa: F401
from symmim_mm.evaluation import knn_evaluate
from symmim_mm.utils import add_trust_argument, checked_checkpoints


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--checkpoint', help='pretrained checkpoint (default: random init)')
    parser.add_argument('--prefix', default='backbone.', help='key prefix of the encoder')
    add_trust_argument(parser)
    parser.add_argument('--k', type=int, default=20)
    parser.add_argument('--temperature', type=float, default=0.07)
    parser.add_argument('--seed', type=int, default=0, help='seed of the random init')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    torch.manual_seed(args.seed)
    cfg.model.backbone.init_cfg = dict(
        type='Pretrained', checkpoint=args.checkpoint,
        prefix=args.prefix) if args.checkpoint else None
    start = time.time()
    with checked_checkpoints(cfg):  # refuses unsafe files, lets --trust-checkpoint ones load
        result = knn_evaluate(cfg, args.k, args.temperature)
    source = args.checkpoint or 'random init'
    print(f'kNN (k={args.k}, T={args.temperature}) top-1: {result["top1"]:.2f} %  '
          f'[{result["bank"]} bank / {result["queries"]} queries, {source}, '
          f'{time.time() - start:.1f} s]')


if __name__ == '__main__':
    main()
