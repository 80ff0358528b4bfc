"""Gather the figures of ``tools/benchmarks/gpu_benchmark.sh`` into one JSON file and
a Markdown report.

    python -m symmim_mm.benchmarks.gpu_report OUT_DIR --run NAME=WORK_DIR:BATCH ...

Reads ``OUT_DIR/speed_*.json`` (``pretrain_speed.py``), ``OUT_DIR/data_speed.json``
(``data_speed.py``) and, for each ``--run``, the scalars that MMEngine logged in
``WORK_DIR`` (``*/vis_data/scalars.json``); writes ``OUT_DIR/gpu_benchmark.json``
and ``OUT_DIR/gpu_benchmark.md``.
"""
import argparse
import glob
import json
import os.path as osp
import statistics
from typing import Dict, List, Optional


def logged_train_iterations(work_dir: str) -> List[dict]:
    """The training iterations in the newest run's ``vis_data/scalars.json`` of
    ``work_dir`` (entries with an ``lr`` and a ``time``), in order."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(f'{work_dir}: no */vis_data/scalars.json (was the run logged?)')
    with open(files[-1]) as f:
        entries = [json.loads(line) for line in f if line.strip()]
    return [e for e in entries if 'lr' in e and 'time' in e]


def training_speed(work_dir: str, batch_size: int, skip: int = 1) -> dict:
    """Training speed of a ``tools/train.py`` run logged every iteration
    (``default_hooks.logger.interval=1``, ``log_processor.window_size=1``), data
    loading included: sums, no medians, over a span of whole iterations.

    The span is the whole epochs after the first ``skip`` of an epoch-based run (its
    entries carry ``epoch``), else the iterations after the first ``skip``. MMEngine's
    ``time`` of an iteration runs from the end of the previous one (the start of the
    epoch for the first), so the sum of ``time`` is the span's wall time and the sum of
    ``data_time`` the part of it spent waiting for batches, however the waits fall
    (e.g. all in the first iterations of each epoch, when every worker builds a batch).
    Counts ``batch_size`` images per iteration (train with ``drop_last=True``).

    Returns:
        dict: ``epochs`` (timed; None for an iteration-based run), ``iterations``,
        ``images``, ``seconds``, ``s_per_iter`` (mean), ``images_per_s`` (images ÷
        seconds), ``data_time_fraction`` (data wait ÷ seconds), ``first_batch_wait_s``
        (mean wait for the first batch of each timed epoch: the loader's refill) and,
        on CUDA, ``memory_mib`` (the largest logged).
    """
    iters = logged_train_iterations(work_dir)
    numbers = [e['iter'] for e in iters if 'iter' in e]
    if numbers and numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise ValueError(f'{work_dir}: not every iteration was logged; train with '
                         'default_hooks.logger.interval=1 log_processor.window_size=1.')
    epochs, first_waits = None, None
    if iters and all('epoch' in e for e in iters):
        timed_epochs = sorted({e['epoch'] for e in iters})[skip:]
        timed = [e for e in iters if e['epoch'] in timed_epochs]
        epochs = len(timed_epochs)
        first_waits = [
            next(e['data_time'] for e in timed if e['epoch'] == epoch) for epoch in timed_epochs
        ]
    else:
        timed = iters[skip:]
    if not timed:
        raise ValueError(f'{work_dir}: {len(iters)} iterations logged, none after the first '
                         f'{skip} {"epochs" if epochs is not None else "iterations"}.')
    seconds = sum(e['time'] for e in timed)
    data = sum(e['data_time'] for e in timed)
    memory = [e['memory'] for e in timed if 'memory' in e]
    return dict(
        epochs=epochs,
        iterations=len(timed),
        batch_size=batch_size,
        images=batch_size * len(timed),
        seconds=seconds,
        s_per_iter=seconds / len(timed),
        images_per_s=batch_size * len(timed) / seconds,
        data_time_fraction=data / seconds,
        first_batch_wait_s=statistics.mean(first_waits) if first_waits else None,
        memory_mib=max(memory) if memory else None)


def collect(out_dir: str, runs: Dict[str, tuple]) -> dict:
    """All figures of one benchmark run: ``speed`` (per ``speed_<name>.json``),
    ``data_speed`` and ``training`` (per run)."""
    figures: dict = dict(speed={}, training={})
    for path in sorted(glob.glob(osp.join(out_dir, 'speed_*.json'))):
        with open(path) as f:
            figures['speed'][osp.basename(path)[6:-5]] = json.load(f)
    data_speed = osp.join(out_dir, 'data_speed.json')
    if osp.isfile(data_speed):
        with open(data_speed) as f:
            figures['data_speed'] = json.load(f)
    for name, (work_dir, batch_size, skip) in runs.items():
        figures['training'][name] = dict(
            training_speed(work_dir, batch_size, skip), work_dir=work_dir)
    return figures


def _pct(value: Optional[float]) -> str:
    return '-' if value is None else f'{100 * value:.1f} %'


def markdown(figures: dict) -> str:
    """The report: one table per ``pretrain_speed`` run, the data pipeline, the runs."""
    lines = []
    for name, speed in figures['speed'].items():
        cfg = speed['config']
        lines += [
            f"### Pretraining step, {name}: ViT-{cfg['arch']}, batch {cfg['batch_size']}, "
            f"{speed['device']}, amp {cfg['amp'] or 'as configured'}, compile "
            f"{cfg['compile'] or 'off'}", '',
            f"| method | images/s | × {speed['reference']} | memory (MiB) | "
            f"memory × {speed['reference']} | GFLOP/step | TFLOP/s | MFU (GEMM "
            f"{speed['gemm_peak_flop_s'] / 1e12:.3g} TFLOP/s) | MFU (dense peak) |",
            '|---|---|---|---|---|---|---|---|---|'
        ]
        for method, r in speed['methods'].items():
            lines.append(f"| {method} | {r['images_per_s']:.1f} | {r['images_per_s_ratio']:.2f} "
                         f"| {r['memory_mib']:.0f} | {r['memory_ratio']:.2f} | "
                         f"{r['gflop_per_step']:.4g} | {r['achieved_tflop_s']:.3g} | "
                         f"{_pct(r['mfu'])} | {_pct(r['mfu_dense_peak'])} |")
        lines.append('')
    if 'data_speed' in figures:
        ds = figures['data_speed']
        lines += [
            '### Data pipeline, one loading process', '',
            '| pipeline | images/s | max |Δ| | mean |Δ| |', '|---|---|---|---|'
        ]
        lines += [
            f"| {v['name']}{' (configured)' if v['configured'] else ''} | "
            f"{v['images_per_s']:.0f} | {v['max_pixel_difference']} | "
            f"{v['mean_pixel_difference']:.3f} |" for v in ds['variants']
        ]
        lines += [
            '', f"Fastest close to the configured images: {ds['fastest_close']}; "
            'loading processes needed: ' + ', '.join(f'{n} at {float(rate):.0f} images/s'
                                                     for rate, n in ds['workers_needed'].items()) +
            '.', ''
        ]
    if figures['training']:
        lines += [
            '### Training runs (tools/train.py, data loading included)', '',
            'Sums over the timed span: images/s = images ÷ wall time, data wait = '
            'time waiting for batches ÷ wall time.', '',
            '| run | batch | iterations timed | s/iter | images/s | data wait | '
            'memory (MiB) | span | first-batch wait (s) |', '|---|---|---|---|---|---|---|---|---|'
        ]
        for name, r in figures['training'].items():
            memory = '-' if r['memory_mib'] is None else f"{r['memory_mib']:.0f}"
            epochs = r.get('epochs')
            span = ('iterations' if epochs is None else
                    f"{epochs} epoch{'s' if epochs != 1 else ''}") + \
                f", {r['images']} images, {r['seconds']:.1f} s"
            wait = '-' if r.get('first_batch_wait_s') is None \
                else f"{r['first_batch_wait_s']:.2f}"
            lines.append(f"| {name} | {r['batch_size']} | {r['iterations']} | "
                         f"{r['s_per_iter']:.3f} | {r['images_per_s']:.1f} | "
                         f"{_pct(r['data_time_fraction'])} | {memory} | {span} | {wait} |")
    return '\n'.join(lines) + '\n'


def parse_run(text: str) -> tuple:
    """``NAME=WORK_DIR:BATCH[:SKIP]`` -> ``(name, (work_dir, batch, skip))``; ``SKIP``
    (default 1): leading epochs (iterations, for an iteration-based run) not timed."""
    try:
        name, rest = text.split('=', 1)
        work_dir, batch, *skip = rest.split(':')
        return name, (work_dir, int(batch), int(skip[0]) if skip else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'--run takes NAME=WORK_DIR:BATCH[:SKIP], got {text!r}') from None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir')
    parser.add_argument(
        '--run',
        type=parse_run,
        action='append',
        default=[],
        help='NAME=WORK_DIR:BATCH[:SKIP] of a tools/train.py run (SKIP: '
        'leading epochs, or iterations, not timed; default 1)')
    args = parser.parse_args(argv)
    figures = collect(args.out_dir, dict(args.run))
    with open(osp.join(args.out_dir, 'gpu_benchmark.json'), 'w') as f:
        json.dump(figures, f, indent=2)
    report = markdown(figures)
    with open(osp.join(args.out_dir, 'gpu_benchmark.md'), 'w') as f:
        f.write(report)
    print(report)


if __name__ == '__main__':
    main()
