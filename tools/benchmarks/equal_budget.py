"""Equal-budget benchmark: SymMIM, its ablations, a SimMIM-style ViT and MMPretrain's MAE,
pretrained through the Runner from the configs in configs/equal_budget/, then probed.

    python tools/benchmarks/equal_budget.py                       # the README's table
    python tools/benchmarks/equal_budget.py --split val --budgets epochs --probes knn \
        --finetune --methods symmim symmim-inplace symmim-sameview    # choosing settings
    python tools/benchmarks/equal_budget.py --methods my_variant.py   # any config path

Every method is pretrained for each seed under two budgets: equal epochs (``--epochs``
passes over the training split) and equal compute (the seconds the ``--reference``
method needs for those epochs; steps per second of each method are measured side by
side through the Runner first, and each method's warm-up + cosine schedule is laid
over its number of steps). Its encoder is then probed with the project's evaluation
configs: kNN (k = 20) and a linear probe on every run, fine-tuning for the methods in
``--finetune`` under the first of ``--budgets``; randomly initialised encoders (with a
learned and with a fixed sin-cos position embedding) and the raw pixels, probed the same
way, are the floors. Settings are chosen
on ``--split val``; the final table uses ``--split test``.

Writes ``OUT_DIR/results.json`` after every run (a re-run with the same arguments
skips the runs already there and reuses the measured step times; driver processes may
share an out-dir, e.g. one per ``--first-seed``), ``results.md`` and ``results.png``.
"""
import argparse
import fcntl
import json
import os
import os.path as osp
import time
from typing import Optional

import torch
from mmengine.config import DictAction
from mmengine.logging import MMLogger

import symmim_mm  # noqa: F401
from symmim_mm.benchmarks import report
from symmim_mm.benchmarks.runs import (iters_per_epoch, knn_probe, load_run_config, probe_config,
                                       seconds_per_iter, set_num_iters, train, trained_probe)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
METHOD_CONFIG = osp.join(ROOT, 'configs/equal_budget/{}_vit-tiny-p4_fashion-mnist-32px.py')
PROBE_CONFIG = osp.join(ROOT, 'configs/symmim/benchmarks/vit-tiny-p4_{}_fashion-mnist-32px.py')
PROBES = dict(knn='knn', linear='linear-{}e', finetune='ft-{}e')
METHODS = [
    'symmim', 'symmim-inplace', 'symmim-sameview', 'symmim-lambda0', 'symmim-random',
    'symmim-learnedpos', 'simmim', 'mae', 'mae-mask50', 'mae-mask90', 'simmim-mask50',
    'simmim-mask75', 'simmim-mask90'
]
# Floors, probed as the encoders are (kind -> options of the evaluation config): randomly
# initialised encoders (the classifier's own ViT with its learned position embedding, and
# the same ViT with the fixed sin-cos one), and the raw pixels (Fashion-MNIST's grey channel
# at 32 px, 1,024 features): kNN over the same bank with the same k, and the linear probe's
# recipe (BatchNorm + linear head, same schedule) on the pixels instead of the CLS token.
PIXEL_HEAD = dict(neck=dict(input_features=1024), head=dict(in_channels=1024))
FLOORS = {
    'random init':
    lambda kind: {},
    'random init, sin-cos positions':
    lambda kind: dict(model=dict(backbone=dict(type='SymMIMViT', sincos_pos_embed=True))),
    'raw pixels':
    lambda kind: dict(
        model=dict(
            backbone=dict(_delete_=True, type='RawPixels', channels=1),
            **({} if kind == 'knn' else PIXEL_HEAD))),
}
LABELS = {
    'symmim': 'SymMIM',
    'symmim-inplace': 'SymMIM, mask tokens in place (literal)',
    'symmim-sameview': 'SymMIM, one view for both encoders',
    'symmim-lambda0': 'SymMIM, λ = 0',
    'symmim-random': 'SymMIM, random masks',
    'symmim-learnedpos': 'SymMIM, learned positions',
    'simmim': 'SimMIM-style ViT (60 %)',
    'mae': 'MAE (MMPretrain, 75 %)',
    'mae-mask50': 'MAE, 50 % masked',
    'mae-mask90': 'MAE, 90 % masked',
    'simmim-mask50': 'SimMIM-style ViT, 50 %',
    'simmim-mask75': 'SimMIM-style ViT, 75 %',
    'simmim-mask90': 'SimMIM-style ViT, 90 %'
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--methods',
        nargs='+',
        default=['symmim', 'simmim', 'mae'],
        help=f'names ({", ".join(METHODS)}) or config paths')
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--first-seed', type=int, default=0)
    parser.add_argument(
        '--epochs',
        type=float,
        default=2.0,
        help='equal-epochs budget; the equal-compute budget is the seconds '
        'the reference method needs for it')
    parser.add_argument(
        '--budgets', nargs='+', default=['epochs', 'compute'], choices=['epochs', 'compute'])
    parser.add_argument(
        '--reference', default='symmim', help='method whose time sets the equal-compute budget')
    parser.add_argument(
        '--split',
        default='test',
        choices=['val', 'test'],
        help='where probes are evaluated (val: to choose settings)')
    parser.add_argument(
        '--probes', nargs='+', default=['knn', 'linear'], choices=['knn', 'linear'])
    parser.add_argument(
        '--finetune',
        nargs='*',
        default=['symmim', 'mae'],
        help='methods whose encoders are also fine-tuned, under the first '
        'of --budgets (none: --finetune)')
    parser.add_argument(
        '--probe-epochs',
        type=int,
        default=4,
        choices=[4, 10],
        help='schedule of the linear probe and fine-tuning configs')
    parser.add_argument(
        '--probe-images',
        type=int,
        default=2500,
        help='the first N images of the train split are the kNN bank and '
        'train the linear probe and fine-tuning (0: all 50,000)')
    parser.add_argument(
        '--data-root',
        help='folder of the Fashion-MNIST IDX files '
        '(default: the configs\', data/fashion_mnist)')
    parser.add_argument('--calib-steps', type=int, default=20)
    parser.add_argument(
        '--step-times',
        metavar='RESULTS_JSON',
        help='reuse the seconds per step measured by another run (its '
        'results.json), e.g. the test-split run\'s for a validation run')
    parser.add_argument('--out-dir', default='work_dirs/equal_budget')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help='applied to every pretraining config')
    parser.add_argument(
        '--probe-options', nargs='+', action=DictAction, help='applied to every evaluation config')
    parser.add_argument('--threads', type=int, help='torch threads (default: torch\'s)')
    return parser.parse_args(argv)


def method_config(method: str) -> str:
    path = method if method.endswith('.py') else METHOD_CONFIG.format(method)
    if not osp.isfile(path):
        raise SystemExit(f'{method}: no such method or config ({path})')
    return path


def method_name(method: str) -> str:
    return osp.basename(method).split('_vit-')[0].removesuffix('.py')


class Results:
    """``results.json``: settings, every pretraining run and the floors."""

    def __init__(self, path: str, settings: dict) -> None:
        self.path = path
        old = json.load(open(path)) if osp.isfile(path) else {}
        self.runs = old.get('runs', [])
        self.floor = old.get('floors', old.get('random_init', []))
        self.settings = settings

    def find(self, items: list, **key):
        return next((r for r in items if all(r.get(k) == v for k, v in key.items())), None)

    def save(self) -> None:
        """Write the file, first taking in what other driver processes sharing
        ``--out-dir`` (e.g. one per seed) have written since."""
        with open(self.path + '.lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if osp.isfile(self.path):
                theirs = json.load(open(self.path))
                self.runs += [r for r in theirs['runs'] if r not in self.runs]
                self.floor += [
                    f for f in theirs.get('floors', theirs.get('random_init', []))
                    if f not in self.floor
                ]
            rows = report.summarise(self.runs, self.floor)
            with open(self.path + '.tmp', 'w') as f:
                json.dump(
                    dict(settings=self.settings, summary=rows, runs=self.runs, floors=self.floor),
                    f,
                    indent=1)
            os.replace(self.path + '.tmp', self.path)


def measured_seconds_per_iter(args: argparse.Namespace, configs: dict, options: dict) -> dict:
    """Seconds per step of each method: those of ``--step-times`` or of an earlier run in
    ``--out-dir`` when it measured them all (so a re-run plans the same steps), else
    measured now."""
    path = args.step_times or osp.join(args.out_dir, 'results.json')
    old = json.load(open(path))['settings'].get('seconds_per_iter') if osp.isfile(path) else {}
    if old and set(configs) <= set(old):
        print(f'seconds per step from {path}', flush=True)
        return {name: old[name] for name in configs}
    print(f'measuring seconds per step of {len(configs)} methods through the Runner', flush=True)
    return seconds_per_iter(
        configs,
        osp.join(args.out_dir, 'calibration'),
        steps=args.calib_steps,
        warmup=max(1, args.calib_steps // 4),
        options=options)


def main(argv=None) -> None:
    args = parse_args(argv)
    MMLogger.get_instance('equal_budget', log_level='WARNING')
    if args.threads:
        torch.set_num_threads(args.threads)
    os.makedirs(args.out_dir, exist_ok=True)
    configs = {method_name(m): method_config(m) for m in args.methods}
    data = dict(train_dataloader=dict(dataset=dict(data_root=args.data_root))) \
        if args.data_root else {}
    pretrain_options = dict(data, **(args.cfg_options or {}))
    probe_options = [
        dict(data, test_dataloader=dict(dataset=dict(
            data_root=args.data_root))) if args.data_root else {}, args.probe_options or {}
    ]
    first = load_run_config(next(iter(configs.values())), args.out_dir, 0, pretrain_options)
    per_epoch = iters_per_epoch(first)
    epoch_iters = max(1, round(args.epochs * per_epoch))
    start = time.time()

    spi = {}
    if 'compute' in args.budgets:
        if args.reference not in configs:
            raise SystemExit(f'--reference {args.reference} is not among --methods')
        spi = measured_seconds_per_iter(args, configs, pretrain_options)
        budget_s = epoch_iters * spi[args.reference]
        print(
            '  ' + ', '.join(f'{n} {1e3 * s:.0f} ms'
                             for n, s in spi.items()) + f'; equal-compute budget {budget_s:.0f} s',
            flush=True)
    steps = dict(
        epochs=lambda name: epoch_iters, compute=lambda name: max(1, round(budget_s / spi[name])))
    # name -> budget -> steps, budgets in the order given
    plan = {name: {b: steps[b](name) for b in args.budgets} for name in configs}

    settings = dict(
        vars(args), iters_per_epoch=per_epoch, seconds_per_iter=spi, configs=configs, plan=plan)
    results = Results(osp.join(args.out_dir, 'results.json'), settings)

    def probe(kind: str, ckpt, work_dir: str, seed: int, extra: Optional[dict] = None) -> float:
        name = PROBES[kind].format(args.probe_epochs)
        cfg = probe_config(PROBE_CONFIG.format(name), ckpt, work_dir, seed, args.split)
        if args.probe_images:
            cfg.train_dataloader.dataset.indices = args.probe_images
        for options in probe_options + [extra or {}]:
            cfg.merge_from_dict(options)
        return knn_probe(cfg) if kind == 'knn' else trained_probe(cfg)

    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for f, (name, options) in enumerate(FLOORS.items()):
            if results.find(results.floor, name=name, seed=seed, split=args.split):
                continue
            floor = dict(name=name, seed=seed, split=args.split)
            for kind in args.probes:
                floor[kind] = probe(kind, None, osp.join(args.out_dir, f'floor{f}_{kind}_{seed}'),
                                    seed, options(kind))
            results.floor.append(floor)
            results.save()
        for name, path in configs.items():
            for budget, iters in plan[name].items():
                key = dict(method=name, budget=budget, seed=seed, iters=iters, split=args.split)
                if results.find(results.runs, **key):
                    continue
                run_dir = osp.join(args.out_dir, f'{name}_{budget}_{iters}_{seed}')
                same = results.find(
                    results.runs, method=name, seed=seed, iters=iters, split=args.split)
                if same:  # the other budget gave the same number of steps
                    run = dict(same, budget=budget)
                    run_dir = osp.dirname(run['checkpoint'])
                else:
                    cfg = load_run_config(path, run_dir, seed, pretrain_options)
                    set_num_iters(cfg, iters)
                    run = dict(
                        key,
                        epochs=iters / per_epoch,
                        **{
                            k: v
                            for k, v in train(cfg).items() if k != 'step_times'
                        })
                if spi:
                    run['calibrated_s'] = iters * spi[name]
                fine_tune = name in args.finetune and budget == args.budgets[0]
                for kind in args.probes + (['finetune'] if fine_tune else []):
                    if kind not in run:
                        run[kind] = probe(kind, run['checkpoint'], osp.join(run_dir, kind), seed)
                results.runs.append(run)
                results.save()
                scores = '  '.join(f'{k} {run[k]:5.1f} %' for k in report.PROBES if k in run)
                print(
                    f'[seed {seed}] {name:<16} {budget:<8} {iters:>6} steps '
                    f'({run["epochs"]:.2f} ep, {run["train_time_s"]:.0f} s): {scores}  '
                    f'[{time.time() - start:.0f} s elapsed]',
                    flush=True)

    rows = report.summarise([r for r in results.runs if r['split'] == args.split],
                            [f for f in results.floor if f['split'] == args.split])
    labels = {name: LABELS.get(name, name) for name in configs}
    table = report.markdown(rows, labels)
    split = 'test split' if args.split == 'test' else 'validation split'
    header = (f'Fashion-MNIST, {per_epoch} steps per epoch; {args.seeds} seeds (mean ± std); '
              f'probes on the {split}.\n\n')
    with open(osp.join(args.out_dir, 'results.md'), 'w') as f:
        f.write(header + table + '\n')
    report.plot(rows, labels, osp.join(args.out_dir, 'results.png'))
    print('\n' + header + table)
    print(f'\n{args.out_dir}/results.{{json,md,png}} written ({time.time() - start:.0f} s)')


if __name__ == '__main__':
    main()
