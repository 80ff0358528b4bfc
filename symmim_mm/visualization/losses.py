"""Loss curves of a work dir, read with MMPretrain's log parser, a resumed run continuing
the run it resumes."""
import glob
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from matplotlib.figure import Figure
from mmpretrain.utils import load_json_log

Curves = Dict[str, Dict[int, float]]  # name -> {iteration: value}


def scalar_files(path: str) -> List[str]:
    """The ``scalars.json`` files of a work dir (one per run, oldest first), or
    ``path`` itself if it is a file.

    Raises:
        FileNotFoundError: None is found.
    """
    if osp.isfile(path):
        return [path]
    found = sorted(glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    found += sorted(glob.glob(osp.join(path, 'vis_data', 'scalars.json')))
    if not found:
        raise FileNotFoundError(f'{path}: no */vis_data/scalars.json (LocalVisBackend logs) '
                                'in it.')
    return found


def load_curves(path: str) -> Curves:
    """Training scalars by iteration (``step``), from every run of a work dir.

    Each file is parsed by ``mmpretrain.utils.load_json_log``; a resumed run repeats
    the iterations after its checkpoint, and the later run's values replace the
    earlier ones. Validation records are left out.
    """
    curves: Curves = {}
    for filename in scalar_files(path):
        for record in load_json_log(filename)['train']:
            for key, value in record.items():
                if key not in ('iter', 'epoch', 'step') and isinstance(value, (int, float)):
                    curves.setdefault(key, {})[int(record['step'])] = float(value)
    return curves


def plot_losses(curves: Curves,
                keys: Optional[Sequence[str]] = None,
                smooth: int = 1,
                title: Optional[str] = None) -> Figure:
    """Loss curves (log scale when all positive) and, if logged, the learning rate.

    Args:
        curves (dict): From :func:`load_curves`.
        keys (Sequence[str], optional): Curves to draw. Defaults to every name that
            contains ``'loss'``.
        smooth (int): Moving-average window in logged points. Defaults to 1 (raw).
        title (str, optional): Figure title. Defaults to None.

    Raises:
        KeyError: A requested curve is not in ``curves``, or there is none to draw.
    """
    keys = list(keys) if keys else sorted(k for k in curves if 'loss' in k)
    missing = [k for k in keys if k not in curves]
    if missing or not keys:
        raise KeyError(f'no curve {missing or "with `loss` in its name"}; logged: '
                       f'{sorted(curves)}')
    panels = 2 if 'lr' in curves else 1
    fig = Figure(figsize=(7, 3.2 * panels), dpi=100)
    ax = fig.add_subplot(panels, 1, 1)
    for key in keys:
        steps, values = zip(*sorted(curves[key].items()))
        ax.plot(steps, moving_average(np.asarray(values), smooth), label=key, linewidth=1.2)
    if all(min(curves[k].values()) > 0 for k in keys):
        ax.set_yscale('log')
    ax.set_ylabel('loss' + (f' (mean of {smooth})' if smooth > 1 else ''))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    if panels == 2:
        lr_ax = fig.add_subplot(panels, 1, 2, sharex=ax)
        steps, values = zip(*sorted(curves['lr'].items()))
        lr_ax.plot(steps, values, color='gray', linewidth=1.2)
        lr_ax.set_ylabel('lr')
        lr_ax.grid(alpha=0.3)
    fig.axes[-1].set_xlabel('iteration')
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over ``window`` points (shorter at the start); same length."""
    if window <= 1:
        return values
    sums = np.cumsum(np.insert(values, 0, 0.))
    starts = np.maximum(np.arange(1, len(values) + 1) - window, 0)
    return (sums[1:] - sums[starts]) / (np.arange(1, len(values) + 1) - starts)
