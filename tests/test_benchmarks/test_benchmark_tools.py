"""The speed benchmark runs end to end on tiny settings and writes what it promises."""
import json
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).parents[2]


def run(*args):
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


def test_pretrain_speed_json(tmp_path):
    out = run('tools/benchmarks/pretrain_speed.py', '--arch', 'tiny', '--img-size', '64',
              '--batch-size', '2', '--warmup', '0', '--repeats', '1', '--methods', 'simmim',
              'symmim', 'mae', '--json', str(tmp_path / 'speed.json'))
    assert '| symmim |' in out and 'SymmetricMaskGenerator' in out
    figures = json.loads((tmp_path / 'speed.json').read_text())
    assert figures['reference'] == 'simmim' and figures['gemm_peak_flop_s'] > 0
    rows = figures['methods']
    assert set(rows) == {'simmim', 'symmim', 'mae'}
    assert rows['simmim']['step_ratio'] == 1 and rows['simmim']['memory_ratio'] == 1
    for r in rows.values():
        assert r['images_per_s'] > 0 and r['memory_mib'] > 0 and 0 < r['mfu']
    # the momentum encoder costs FLOPs and memory: SymMIM must show more of both
    assert rows['symmim']['gflop_per_step'] > rows['simmim']['gflop_per_step']
    assert rows['symmim']['memory_mib'] > rows['simmim']['memory_mib']
    assert 0 < figures['mask_generator']['mask_fraction'] < 1
