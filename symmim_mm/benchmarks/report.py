"""Tables and plots of the equal-budget benchmark's results (``results.json``)."""
import statistics
from typing import Dict, List, Sequence

PROBES = ('knn', 'linear', 'finetune')
PROBE_TITLES = {'knn': 'kNN (k = 20)', 'linear': 'linear probe', 'finetune': 'fine-tune'}
BUDGET_TITLES = {'epochs': 'equal epochs', 'compute': 'equal compute'}


def mean_std(values: Sequence[float]) -> Dict[str, float]:
    """``{'mean', 'std', 'n'}`` of ``values`` (population std; NaN-free input)."""
    values = [float(v) for v in values]
    if not values:
        return dict(mean=float('nan'), std=float('nan'), n=0)
    return dict(mean=statistics.fmean(values), std=statistics.pstdev(values), n=len(values))


def summarise(runs: List[dict], floor: List[dict]) -> Dict[str, dict]:
    """One row per (method, budget) over seeds, then one per randomly initialised
    encoder (``floor`` entries grouped by ``name``, budget ``None``).

    Each row holds ``method``, ``budget``, ``epochs``, ``iters``, then
    ``train_time_s``, ``calibrated_s`` (steps × the measured seconds per step, when
    the runs have it) and every probe present as ``{'mean', 'std', 'n'}``.
    """
    rows: Dict[str, dict] = {}
    for key in dict.fromkeys((r['method'], r['budget']) for r in runs):
        mine = [r for r in runs if (r['method'], r['budget']) == key]
        row = dict(
            method=key[0],
            budget=key[1],
            epochs=mine[0]['epochs'],
            iters=mine[0]['iters'],
            train_time_s=mean_std([r['train_time_s'] for r in mine]))
        if all('calibrated_s' in r for r in mine):
            row['calibrated_s'] = mean_std([r['calibrated_s'] for r in mine])
        for probe in PROBES:
            values = [r[probe] for r in mine if r.get(probe) is not None]
            if values:
                row[probe] = mean_std(values)
        rows[f'{key[0]}/{key[1]}'] = row
    for name in dict.fromkeys(f.get('name', 'random init') for f in floor):
        mine = [f for f in floor if f.get('name', 'random init') == name]
        row = dict(method=name, budget=None, epochs=0, iters=0, train_time_s=mean_std([0.]))
        for probe in PROBES:
            values = [f[probe] for f in mine if f.get(probe) is not None]
            if values:
                row[probe] = mean_std(values)
        rows[name] = row
    return rows


def _cell(stat: dict, digits: int = 1) -> str:
    return f"{stat['mean']:.{digits}f} ± {stat['std']:.{digits}f}" if stat else '—'


def markdown(rows: Dict[str, dict], labels: Dict[str, str]) -> str:
    """The summary as a Markdown table (mean ± std over seeds)."""
    probes = [p for p in PROBES if any(p in r for r in rows.values())]
    calibrated = any('calibrated_s' in r for r in rows.values())
    head = ['method', 'budget', 'epochs', 'steps', 'pretraining (s)'] + \
        (['at calibrated speed (s)'] if calibrated else []) + \
        [f'{PROBE_TITLES[p]} top-1 (%)' for p in probes]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for row in rows.values():
        floor = row['budget'] is None
        cells = [
            labels.get(row['method'],
                       row['method']), '—' if floor else BUDGET_TITLES[row['budget']],
            '0' if floor else f"{row['epochs']:.2f}".rstrip('0').rstrip('.'),
            str(row['iters']), '—' if floor else _cell(row['train_time_s'], 0)
        ]
        if calibrated:
            seconds = row.get('calibrated_s')
            cells.append(f"{seconds['mean']:.0f}" if seconds else '—')
        cells += [_cell(row.get(p)) for p in probes]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def plot(rows: Dict[str, dict], labels: Dict[str, str], path: str) -> None:
    """Grouped bars: one panel per probe, one group per method, one bar per budget."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np
    probes = [p for p in PROBES if any(p in r for r in rows.values())]
    methods = list(dict.fromkeys(r['method'] for r in rows.values() if r['budget']))
    budgets = list(dict.fromkeys(r['budget'] for r in rows.values() if r['budget']))
    fig, axes = plt.subplots(1, len(probes), figsize=(5.5 * len(probes), 4.4), squeeze=False)
    width = 0.8 / max(1, len(budgets))
    for ax, probe in zip(axes[0], probes):
        for b, budget in enumerate(budgets):
            stats = [rows.get(f'{m}/{budget}', {}).get(probe) for m in methods]
            x = np.arange(len(methods)) + (b - (len(budgets) - 1) / 2) * width
            ax.bar(
                x, [s['mean'] if s else 0 for s in stats],
                width,
                yerr=[s['std'] if s else 0 for s in stats],
                capsize=3,
                label=BUDGET_TITLES[budget])
        for (name, row), style in zip(((n, r) for n, r in rows.items() if not r['budget']),
                                      ('--', ':', '-.')):
            if probe in row:
                ax.axhline(row[probe]['mean'], color='gray', ls=style, label=name)
        values = [r[probe]['mean'] for r in rows.values() if probe in r]
        ax.set_ylim(max(0, min(values) - 10), min(100, max(values) + 5))
        ax.set_xticks(np.arange(len(methods)))
        ax.set_xticklabels([labels.get(m, m) for m in methods],
                           rotation=25,
                           ha='right',
                           fontsize=8)
        ax.set(title=PROBE_TITLES[probe], ylabel='top-1 accuracy (%)')
        ax.grid(axis='y', alpha=.3)
    axes[0][0].legend(fontsize=8, loc='lower right')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
