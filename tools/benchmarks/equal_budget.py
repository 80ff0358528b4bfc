"""Accuracy at equal budget: pretrain SymMIM and its ablations, a SimMIM-style ViT and
MMPretrain's MAE for the same epochs on the same data, then probe each encoder.

    python tools/benchmarks/equal_budget.py                # digits, ~30 min on 2 cores
    python tools/benchmarks/equal_budget.py --quick        # ~5 min
    python tools/benchmarks/equal_budget.py --data-root DIR --img-size 64   # DIR/{train,val}/<class>/*

Each method is pretrained from scratch (same encoder, data, epochs, optimizer and
schedule) for every seed; its frozen CLS features are probed on the held-out split
by kNN (k = 20) and a linear classifier, with a randomly initialised encoder as the
floor. Prints a Markdown table (mean ± std over seeds) and writes it with a PNG plot
(accuracy against pretraining epochs) and, with --json, all figures.
"""
import argparse
import json
import os
import time

import numpy as np
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

import symmim_mm  # noqa: F401
from symmim_mm.benchmarks.equal_budget import (digits, image_folder, pretrain_and_probe,
                                               random_init_floor)

METHODS = ['symmim', 'symmim_fast', 'symmim_lambda0', 'symmim_random', 'simmim', 'mae']
LABELS = {'symmim': 'SymMIM', 'symmim_fast': 'SymMIM, fast momentum pass',
          'symmim_lambda0': 'SymMIM, λ = 0', 'symmim_random': 'SymMIM, random masks',
          'simmim': 'SimMIM-style ViT', 'mae': 'MAE (MMPretrain)', 'random': 'random init'}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='fewer epochs and seeds (~5 min)')
    parser.add_argument('--epochs', type=int, help='pretraining epochs (default 15; quick 4)')
    parser.add_argument('--seeds', type=int, help='number of seeds (default 3; quick 2)')
    parser.add_argument('--methods', nargs='+', default=METHODS, choices=METHODS)
    parser.add_argument('--data-root', help='image folder with train/<class>/* and val/<class>/*'
                        ' (default: the digits that ship with scikit-learn)')
    parser.add_argument('--img-size', type=int, default=32)
    parser.add_argument('--patch-size', type=int, default=4)
    parser.add_argument('--out-dir', default='work_dirs/equal_budget')
    parser.add_argument('--json', help='also write all figures to this JSON file')
    args = parser.parse_args(argv)
    args.epochs = args.epochs or (4 if args.quick else 15)
    args.seeds = args.seeds or (2 if args.quick else 3)
    return args


def mean_std(values) -> str:
    return f'{np.mean(values):.1f} ± {np.std(values):.1f}'


def summarise(runs, floor, epochs):
    """Per method: final kNN / linear accuracies and pretraining seconds over seeds."""
    rows = {}
    for method in dict.fromkeys(r['method'] for r in runs):
        mine = [r for r in runs if r['method'] == method]
        last = [next(p for p in r['curve'] if p['epoch'] == epochs) for r in mine]
        rows[method] = dict(knn=[p['knn'] for p in last], linear=[p['linear'] for p in last],
                            train_time_s=[r['train_time_s'] for r in mine])
    rows['random'] = dict(knn=[f['knn'] for f in floor], linear=[f['linear'] for f in floor],
                          train_time_s=[0.])
    return rows


def table(rows, epochs, seeds, data) -> str:
    lines = [f'Pretraining: {epochs} epochs on {data}, {seeds} seeds (mean ± std); '
             'probes on the held-out split.', '',
             '| method | pretraining time (s) | kNN top-1 (%) | linear top-1 (%) |',
             '|---|---|---|---|']
    for method, r in rows.items():
        time_s = '—' if method == 'random' else mean_std(r['train_time_s'])
        lines.append(f'| {LABELS[method]} | {time_s} | {mean_std(r["knn"])} | '
                     f'{mean_std(r["linear"])} |')
    return '\n'.join(lines)


def plot(runs, floor, path) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, key, title in zip(axes, ('knn', 'linear'), ('kNN (k = 20)', 'linear probe')):
        for method in dict.fromkeys(r['method'] for r in runs):
            curves = [r['curve'] for r in runs if r['method'] == method]
            epochs = [p['epoch'] for p in curves[0]]
            acc = np.array([[p[key] for p in c] for c in curves])
            ax.errorbar(epochs, acc.mean(0), yerr=acc.std(0), marker='o', capsize=3,
                        label=LABELS[method])
        ax.axhline(np.mean([f[key] for f in floor]), color='gray', ls='--',
                   label=LABELS['random'])
        ax.set(title=title, xlabel='pretraining epochs', ylabel='top-1 accuracy (%)')
        ax.grid(alpha=.3)
    axes[1].legend(fontsize=8, loc='lower right')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> None:
    args = parse_args(argv)
    init_default_scope('mmpretrain')
    MMLogger.get_instance('benchmark', log_level='WARNING')  # no per-parameter init logs
    os.makedirs(args.out_dir, exist_ok=True)
    data_name = args.data_root or 'scikit-learn digits'
    train, val = (image_folder(args.data_root, args.img_size) if args.data_root
                  else digits(args.img_size))
    print(f'{data_name}: {len(train[0])} train / {len(val[0])} held-out images, '
          f'{args.img_size} px; {len(args.methods)} methods x {args.seeds} seeds x '
          f'{args.epochs} epochs', flush=True)
    step = max(1, args.epochs // 3)
    evals = sorted({0, args.epochs, *range(step, args.epochs, step)})  # 0: before pretraining
    total, done, start = len(args.methods) * args.seeds, 0, time.time()

    def report(p):
        print(f"  [{done + 1}/{total}] {p['method']:<15} seed {p['seed']} epoch "
              f"{p['epoch']:>3}/{args.epochs}: loss {p['loss']:.3f}  kNN {p['knn']:5.1f} %  "
              f"linear {p['linear']:5.1f} %  ({p['train_time']:.0f} s training, "
              f"{time.time() - start:.0f} s elapsed)", flush=True)

    runs, floor = [], []
    for seed in range(args.seeds):
        floor.append(random_init_floor(train, val, seed, args.img_size, args.patch_size))
        for method in args.methods:
            runs.append(pretrain_and_probe(method, train, val, args.epochs, evals, seed,
                                           args.img_size, args.patch_size, report=report))
            done += 1
    rows = summarise(runs, floor, args.epochs)
    md = table(rows, args.epochs, args.seeds, data_name)
    print('\n' + md)
    with open(os.path.join(args.out_dir, 'equal_budget.md'), 'w') as f:
        f.write(md + '\n')
    png = os.path.join(args.out_dir, 'equal_budget.png')
    plot(runs, floor, png)
    print(f'\ntable: {args.out_dir}/equal_budget.md, plot: {png} '
          f'({time.time() - start:.0f} s in all)')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(config=vars(args), data=data_name, summary=rows, runs=runs,
                           random_init=floor), f, indent=2)
        print(f'figures written to {args.json}')


if __name__ == '__main__':
    main()
