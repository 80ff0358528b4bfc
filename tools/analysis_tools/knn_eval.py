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
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import symmim_mm  # noqa: F401
from symmim_mm.evaluation import extract_features, knn_accuracy
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
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    torch.manual_seed(args.seed)
    backbone = cfg.model.backbone
    backbone.init_cfg = dict(type='Pretrained', checkpoint=args.checkpoint,
                             prefix=args.prefix) if args.checkpoint else None
    if cfg.get('data_preprocessor') is not None:  # as the Runner does
        cfg.model.setdefault('data_preprocessor', cfg.data_preprocessor)
    from mmpretrain.registry import MODELS
    model = MODELS.build(cfg.model)
    with checked_checkpoints(cfg):
        model.init_weights()

    start = time.time()
    bank = extract_features(model, Runner.build_dataloader(cfg.train_dataloader))
    queries = extract_features(model, Runner.build_dataloader(cfg.test_dataloader))
    num_classes = int(max(bank[1].max(), queries[1].max())) + 1
    acc = knn_accuracy(bank, queries, num_classes, args.k, args.temperature)
    source = args.checkpoint or 'random init'
    print(f'kNN (k={args.k}, T={args.temperature}) top-1: {acc:.2f} %  '
          f'[{len(bank[0])} bank / {len(queries[0])} queries, {source}, '
          f'{time.time() - start:.1f} s]')


if __name__ == '__main__':
    main()
