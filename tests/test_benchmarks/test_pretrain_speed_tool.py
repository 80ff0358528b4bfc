"""pretrain_speed.py as a user runs it: its default methods, configs resolved from this
repository and from MMPretrain's package (``mmpretrain::``), one ViT-B step each."""
import json

import pytest

from tests.conftest import run_tool

DEFAULT_METHODS = {'simmim', 'symmim', 'symmim_inplace', 'mae'}


@pytest.mark.slow
def test_default_methods_run_and_report(tmp_path):
    out = tmp_path / 'speed.json'
    proc = run_tool([
        'tools/benchmarks/pretrain_speed.py', '--batch-size', '2', '--warmup', '0', '--repeats',
        '1', '--json', out
    ],
                    timeout=900)
    report = json.loads(out.read_text())
    assert set(report['methods']) == DEFAULT_METHODS
    assert report['methods']['mae']['config'].endswith(
        'mae/mae_vit-base-p16_8xb512-amp-coslr-800e_in1k.py')
    for name, row in report['methods'].items():
        assert row['step_s'] > 0 and row['gflop_per_step'] > 0 and row['memory_mib'] > 0, name
    # one training step of ViT-B/16 at 224 px: forward + backward ≈ 3 × 17.6 GFLOP per
    # image for the full sequence; MAE's encoder sees a quarter of it
    assert report['methods']['mae']['gflop_per_step'] < report['methods']['simmim'][
        'gflop_per_step']
    assert '| MAE (MMPretrain) |' in proc.stdout
