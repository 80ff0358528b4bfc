"""The equal-budget benchmark: its configs run through the Runner, and the driver writes
the documented results on a tiny Fashion-MNIST-format set."""
import glob
import json
from pathlib import Path

import cv2
import pytest
import torch

from symmim_mm.benchmarks.runs import load_run_config, set_num_iters, train
from symmim_mm.testing.fashion_mnist import make_tiny_fashion_mnist
from tests.conftest import ROOT, run_tool

CONFIGS = sorted(glob.glob(str(Path(ROOT) / 'configs/equal_budget/*.py')))
RUN_KEYS = {
    'method', 'budget', 'seed', 'iters', 'split', 'epochs', 'train_time_s', 'checkpoint', 'knn',
    'linear'
}
ROW_KEYS = {'method', 'budget', 'epochs', 'iters', 'train_time_s', 'knn', 'linear'}


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return make_tiny_fashion_mnist(
        str(tmp_path_factory.mktemp('fmnist')), num_train=40, num_test=20)


def test_every_method_has_a_config():
    names = {Path(c).name.split('_vit-')[0] for c in CONFIGS}
    assert names == {
        'symmim', 'symmim-inplace', 'symmim-sameview', 'symmim-lambda0', 'symmim-random',
        'symmim-learnedpos', 'simmim', 'mae', 'mae-mask50', 'mae-mask90', 'simmim-mask50',
        'simmim-mask75', 'simmim-mask90'
    }
    positions = {
        Path(c).name.split('_vit-')[0]:
        load_run_config(c, '.', 0).model.backbone.get('sincos_pos_embed')
        for c in CONFIGS if Path(c).name.startswith('symmim')
    }
    assert positions.pop('symmim-learnedpos') is False and all(positions.values())


@pytest.mark.parametrize('config', CONFIGS, ids=lambda c: Path(c).name.split('_vit-')[0])
def test_config_trains_two_iterations(config, data_root, tmp_path):
    cfg = load_run_config(
        config,
        str(tmp_path),
        seed=0,
        cfg_options=dict(
            train_dataloader=dict(
                num_workers=0, persistent_workers=False, dataset=dict(data_root=data_root))))
    assert cfg.train_dataloader.batch_size == 128 and cfg.optim_wrapper.optimizer.lr == 1e-3
    set_num_iters(cfg, 2)
    out = train(cfg)
    assert out['iters'] == 2 and len(out['step_times']) == 2 and out['train_time_s'] > 0
    state = torch.load(out['checkpoint'], map_location='cpu', weights_only=True)['state_dict']
    assert any(k.startswith('backbone.layers.0.') for k in state)


def test_set_num_iters_scales_the_schedule(data_root, tmp_path):
    cfg = load_run_config(CONFIGS[0], str(tmp_path), 0)
    warmup, total = cfg.param_scheduler[0].end, cfg.train_cfg.max_iters
    set_num_iters(cfg, total * 2)
    assert cfg.train_cfg.max_iters == total * 2
    assert cfg.param_scheduler[0].end == 2 * warmup == cfg.param_scheduler[1].begin
    assert cfg.param_scheduler[1].end == 2 * total
    assert cfg.param_scheduler[1].T_max == 2 * (total - warmup)
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=3)
    with pytest.raises(ValueError, match='IterBasedTrainLoop'):
        set_num_iters(cfg, 5)


@pytest.mark.slow
def test_driver_writes_the_documented_results(data_root, tmp_path):
    out = tmp_path / 'out'
    args = [
        'tools/benchmarks/equal_budget.py', '--methods', 'symmim', 'mae', '--seeds', '1',
        '--epochs', '2', '--split', 'val', '--calib-steps', '2', '--data-root', data_root,
        '--probe-epochs', '4', '--probe-images', '20', '--finetune', 'symmim', '--out-dir',
        str(out)
    ]
    run_tool(args, timeout=900)
    results = json.loads((out / 'results.json').read_text())
    assert set(results) == {'settings', 'summary', 'runs', 'floors'}
    settings = results['settings']
    assert settings['iters_per_epoch'] == 1  # 30 train images, batch 128
    assert set(settings['seconds_per_iter']) == {'symmim', 'mae'}
    assert settings['plan']['symmim'] == {'compute': 2, 'epochs': 2}
    assert settings['plan']['mae']['compute'] >= 2  # MAE's steps are cheaper
    runs = results['runs']
    assert {(r['method'], r['budget'])
            for r in runs} == {('symmim', 'epochs'), ('symmim', 'compute'), ('mae', 'epochs'),
                               ('mae', 'compute')}
    for run in runs:
        assert RUN_KEYS <= set(run) and run['split'] == 'val'
        assert 0 <= run['knn'] <= 100 and 0 <= run['linear'] <= 100
        assert ('finetune' in run) == (run['method'] == 'symmim')  # equal epochs first
        assert run['calibrated_s'] == pytest.approx(run['iters'] *
                                                    settings['seconds_per_iter'][run['method']])
    floor = results['floors']
    assert [f['name']
            for f in floor] == ['random init', 'random init, sin-cos positions', 'raw pixels']
    assert all({'seed', 'split', 'knn', 'linear'} <= set(f) for f in floor)
    assert not any('finetune' in f for f in floor)
    assert set(results['summary']) == {
        'symmim/epochs', 'symmim/compute', 'mae/epochs', 'mae/compute', 'random init',
        'random init, sin-cos positions', 'raw pixels'
    }
    for row in results['summary'].values():
        assert ROW_KEYS <= set(row)
        assert set(row['knn']) == {'mean', 'std', 'n'}
    table = (out / 'results.md').read_text()
    assert '| SymMIM | equal epochs |' in table
    assert '| MAE (MMPretrain, 75 %) | equal compute |' in table
    assert table.count('\n|') == 9  # header, rule, 4 runs, 2 random inits, raw pixels
    assert '| raw pixels | — |' in table
    assert '| at calibrated speed (s) |' in table
    png = cv2.imread(str(out / 'results.png'))
    assert png is not None and png.shape[1] > png.shape[0] > 200
    # a second call reuses the measured step times, finds every run done and only
    # rewrites the report
    again = run_tool(args, timeout=900)
    assert 'seconds per step from' in again.stdout and 'steps (' not in again.stdout
