"""plot_losses: curves of every run of a work dir (parsed by MMPretrain's load_json_log), a
resumed run replacing what it repeats."""
import json

import pytest
from PIL import Image

from symmim_mm.visualization import load_curves, plot_losses, save_figure
from tests.conftest import run_script


def write_run(work_dir, stamp, iters, offset=0.):
    vis = work_dir / stamp / 'vis_data'
    vis.mkdir(parents=True)
    with open(vis / 'scalars.json', 'w') as f:
        for it in iters:
            f.write(
                json.dumps(
                    dict(
                        lr=1e-3,
                        loss=3. / it + offset,
                        loss_rec=1. / it,
                        loss_con=2. / it + offset,
                        epoch=1,
                        iter=it,
                        step=it)) + '\n')
        f.write(json.dumps({'accuracy/top1': 50., 'step': 1}) + '\n')  # validation: left out


def test_a_resumed_run_continues_the_curves(tmp_path):
    write_run(tmp_path, '20250101_000000', range(1, 9))  # killed after iteration 8
    write_run(tmp_path, '20250101_010000', range(7, 13), offset=0.5)  # resumed at 6
    curves = load_curves(str(tmp_path))
    assert sorted(curves) == ['loss', 'loss_con', 'loss_rec', 'lr']
    assert sorted(curves['loss']) == list(range(1, 13))
    assert curves['loss'][6] == pytest.approx(0.5)  # from the first run
    assert curves['loss'][7] == pytest.approx(3 / 7 + .5)  # the resumed run's

    fig = plot_losses(curves, smooth=3)
    assert len(fig.axes) == 2  # losses, lr
    assert sorted(t.get_text() for t in fig.axes[0].get_legend().get_texts()) == [
        'loss', 'loss_con', 'loss_rec'
    ]
    assert len(fig.axes[0].lines[0].get_xdata()) == 12
    with pytest.raises(KeyError, match='no curve'):
        plot_losses(curves, ['loss_mim'])
    assert save_figure(fig, str(tmp_path / 'l.png')) == (700, 640)


def test_script(tmp_path, monkeypatch, capsys):
    write_run(tmp_path, '20250101_000000', range(1, 5))
    run_script(monkeypatch, 'tools/analysis_tools/plot_losses.py', tmp_path, '--keys', 'loss_rec')
    with Image.open(tmp_path / 'losses.png') as png:
        assert png.size == (700, 640)
    assert '2 panel(s), up to iteration 4' in capsys.readouterr().out
