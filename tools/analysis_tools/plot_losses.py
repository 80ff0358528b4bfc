"""Plot the training losses (and lr) of a work dir as a PNG.

    python tools/analysis_tools/plot_losses.py WORK_DIR [--keys loss_rec loss_con]
        [--smooth 10] [--out WORK_DIR/losses.png]

Reads the ``*/vis_data/scalars.json`` files that MMEngine's ``LocalVisBackend`` writes
(one per run: a resumed run continues the curves). Set
``log_processor.window_size=1`` to log raw per-iteration values rather than means.
"""
import argparse
import os.path as osp

from symmim_mm.visualization import load_curves, plot_losses, save_figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir', help='work dir of a run (or a scalars.json file)')
    parser.add_argument('--keys', nargs='+', help='curves to draw (default: every loss)')
    parser.add_argument('--smooth', type=int, default=1, help='moving-average window')
    parser.add_argument('--out', help='PNG to write (default: WORK_DIR/losses.png)')
    args = parser.parse_args()

    curves = load_curves(args.work_dir)
    out = args.out or osp.join(
        args.work_dir if osp.isdir(args.work_dir) else osp.dirname(args.work_dir), 'losses.png')
    fig = plot_losses(curves, args.keys, args.smooth, osp.basename(osp.normpath(args.work_dir)))
    size = save_figure(fig, out)
    last = max(curves['loss'] or {0: 0}) if 'loss' in curves else '?'
    print(f'{out}: {size[0]}x{size[1]} px, {len(fig.axes)} panel(s), up to iteration {last}')


if __name__ == '__main__':
    main()
