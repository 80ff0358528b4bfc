"""gpu_benchmark.sh and its report: training speed summed over whole epochs (a loader
that cannot keep up shows as data wait however its waits fall), the dense bf16 peaks by
GPU name, the whole script on a CPU."""
import json
import os
import statistics
import sys
from pathlib import Path

import pytest
import torch

from symmim_mm.benchmarks.gpu_report import markdown, training_speed
from symmim_mm.benchmarks.speed import dense_bf16_peak
from tests.test_benchmarks.test_pretrain_speed import run, tiny_downstream

SLOW_TRANSFORM = '''import time

from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SleepTransform(BaseTransform):
    """Waits ``seconds`` per sample: a data pipeline slower than the model."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def transform(self, results: dict) -> dict:
        time.sleep(self.seconds)
        return results
'''


def write_scalars(work_dir: Path, lines: list) -> None:
    scalars = work_dir / '20250101_000000' / 'vis_data' / 'scalars.json'
    scalars.parent.mkdir(parents=True)
    scalars.write_text('\n'.join(json.dumps(line) for line in lines))


def test_waits_at_each_epoch_start_count_medians_would_drop_them(tmp_path):
    # 3 epochs of 5 iterations of 0.1 s: the loader's workers each build a batch at the
    # epoch start (0.6 s wait in its first iteration), then keep up.
    lines, step = [], 0
    for epoch in (1, 2, 3):
        for i in range(5):
            step += 1
            wait = (2.0 if epoch == 1 else 0.6) if i == 0 else 0.001
            lines.append(
                dict(
                    lr=1e-4,
                    loss=1.0,
                    data_time=wait,
                    time=wait + 0.1,
                    epoch=epoch,
                    iter=step,
                    memory=100 + step))
    write_scalars(tmp_path, lines)
    speed = training_speed(str(tmp_path), batch_size=256, skip=1)
    assert speed['epochs'] == 2 and speed['iterations'] == 10 and speed['images'] == 2560
    assert speed['seconds'] == pytest.approx(2 * (0.6 + 4 * 0.001) + 10 * 0.1)
    assert speed['images_per_s'] == pytest.approx(2560 / speed['seconds'])
    assert speed['data_time_fraction'] == pytest.approx(2 * 0.604 / speed['seconds'])
    assert speed['data_time_fraction'] > 0.5  # medians would say 1 %
    timed = lines[5:]
    assert statistics.median(e['data_time']
                             for e in timed) / statistics.median(e['time'] for e in timed) < 0.02
    assert speed['first_batch_wait_s'] == pytest.approx(0.6)
    assert speed['memory_mib'] == 115
    report = markdown(dict(speed={}, training=dict(pretrain=speed)))
    assert '| pretrain | 256 | 10 | 0.221 | 1159.4 | 54.7 % | 115 | 2 epochs, 2560 images, ' \
        '2.2 s | 0.60 |' in report
    with pytest.raises(ValueError, match='none after the first 3 epochs'):
        training_speed(str(tmp_path), batch_size=256, skip=3)


def test_every_iteration_must_be_logged(tmp_path):
    write_scalars(tmp_path,
                  [dict(lr=1e-4, time=0.1, data_time=0.0, epoch=1, iter=i) for i in (10, 20, 30)])
    with pytest.raises(ValueError, match='logger.interval=1'):
        training_speed(str(tmp_path), batch_size=8)


def test_dense_bf16_peak_tells_h100_sxm_pcie_and_nvl_apart(monkeypatch):
    assert dense_bf16_peak('cpu') is None
    for name, peak in [('NVIDIA H100 80GB HBM3', 989e12), ('NVIDIA H100 PCIe', 756e12),
                       ('NVIDIA H100 NVL', 835e12), ('NVIDIA H200', 989e12),
                       ('NVIDIA H200 NVL', 835e12), ('NVIDIA A100-SXM4-80GB', 312e12),
                       ('Tesla V100-SXM2-32GB', None)]:
        monkeypatch.setattr(torch.cuda, 'get_device_name', lambda device=None, n=name: n)
        assert dense_bf16_peak('cuda') == peak, name


@pytest.mark.slow
def test_a_slow_pipeline_shows_as_data_wait(tiny, tmp_path):
    """4 workers of 0.5 s per batch feed a tiny model (the SimMIM-style one: the
    measurement does not depend on the model): every epoch's 4 batches arrive together
    after one wait, which per-iteration medians would drop."""
    (tmp_path / 'slow_transform.py').write_text(SLOW_TRANSFORM)
    config = tmp_path / 'tiny_slow.py'
    config.write_text(f"""_base_ = ['{tiny['simmim']}']
custom_imports = dict(imports=['symmim_mm', 'slow_transform'], allow_failed_imports=False)
pipeline = _base_.train_dataloader.dataset.pipeline
train_dataloader = dict(dataset=dict(
    pipeline=pipeline[:-1] + [dict(type='SleepTransform', seconds=0.25), pipeline[-1]]))
""")
    out = tmp_path / 'bench'
    env = dict(
        os.environ,
        DEVICE='cpu',
        PYTHON=sys.executable,
        STEPS='pretrain',
        PYTHONPATH=str(tmp_path),
        PRETRAIN_CONFIG=str(config),
        NUM_IMAGES='4',
        PRETRAIN_BATCH='2',
        PRETRAIN_EPOCH_ITERS='4',
        PRETRAIN_EPOCHS='2',
        WORKERS='4')
    log = run(['bash', 'tools/benchmarks/gpu_benchmark.sh', str(out)], env=env, timeout=600)
    speed = json.loads((out / 'gpu_benchmark.json').read_text())['training']['pretrain']
    assert speed['epochs'] == 1 and speed['iterations'] == 4 and speed['images'] == 8
    assert speed['data_time_fraction'] > 0.3, speed
    assert speed['first_batch_wait_s'] > 0.3
    assert speed['images_per_s'] < 8 / 0.5  # no faster than the loader
    assert f"| pretrain | 2 | 4 | {speed['s_per_iter']:.3f} |" in log
    scalars = next((out / 'work_dirs' / 'pretrain').glob('*/vis_data/scalars.json'))
    timed = [
        e for e in map(json.loads,
                       scalars.read_text().splitlines()) if e.get('epoch') == 2 and 'time' in e
    ]
    assert len(timed) == 4
    assert statistics.median(e['data_time'] for e in timed) < 0.2 * speed['first_batch_wait_s']


@pytest.mark.slow
def test_gpu_benchmark_script_on_a_cpu(tiny, tmp_path):
    out = tmp_path / 'bench'
    env = dict(
        os.environ,
        DEVICE='cpu',
        PYTHON=sys.executable,
        ARCHS='base',
        BATCH_BASE='2',
        SPEED_ARGS=f"--warmup 0 --repeats 1 --methods simmim={tiny['simmim']} "
        f"symmim={tiny['symmim']} mae={tiny['mae']}",
        COMPILE_METHODS=f"symmim={tiny['symmim']}",
        COMPILE_BACKEND='eager',
        DATA_ARGS='--samples 2 --rounds 1 --images 4',
        PRETRAIN_CONFIG=str(tiny['symmim']),
        PRETRAIN_EPOCHS='2',
        PRETRAIN_EPOCH_ITERS='2',
        PRETRAIN_BATCH='2',
        NUM_IMAGES='4',
        WORKERS='1',
        DOWNSTREAM_ITERS='3',
        DET_BATCH='2',
        **tiny_downstream(tmp_path))
    log = run(['bash', 'tools/benchmarks/gpu_benchmark.sh', str(out)], env=env, timeout=1800)
    figures = json.loads((out / 'gpu_benchmark.json').read_text())
    assert set(figures['speed']) == {'base', 'base_compiled'}
    speed = figures['speed']['base']
    assert speed == json.loads((out / 'speed_base.json').read_text())  # pretrain_speed.py
    assert speed['reference'] == 'simmim' and speed['gemm_peak_flop_s'] > 0
    assert speed['dense_peak_flop_s'] is None and speed['device'] == 'CPU'
    rows = speed['methods']
    assert set(rows) == {'simmim', 'symmim', 'mae'}
    assert rows['simmim']['step_ratio'] == 1 and rows['simmim']['memory_ratio'] == 1
    for name, r in rows.items():
        assert r['config'] == str(tiny[name]) and r['optim_wrapper'] == 'OptimWrapper'
        assert r['amp_dtype'] == 'float32' and not r['compiled']  # AMP needs a GPU
        assert r['images_per_s'] > 0 and r['memory_mib'] > 0 and r['mfu'] > 0
    assert rows['symmim']['gflop_per_step'] > rows['simmim']['gflop_per_step']
    assert 0 < speed['mask_generator']['mask_fraction'] < 1
    compiled = figures['speed']['base_compiled']['methods']['symmim']['compiled']
    assert compiled == ['backbone', 'momentum_encoder.module.0']
    assert figures['data_speed']['fastest_close']
    runs = figures['training']
    assert set(runs) == {'pretrain', 'det', 'seg'}
    # 2 epochs of 2 iterations (the first not timed); 3 iterations (2 not timed)
    assert runs['pretrain']['iterations'] == 2 and runs['pretrain']['epochs'] == 1
    assert runs['det']['iterations'] == 1 and runs['det']['epochs'] is None
    assert all(r['images_per_s'] > 0 for r in runs.values())
    report = (out / 'gpu_benchmark.md').read_text()
    assert report in log and '| symmim |' in report and '| det | 2 | 1 |' in report
