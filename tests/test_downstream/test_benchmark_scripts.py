"""The slurm benchmark scripts build the right command (a stand-in `srun` prints it);
the torchrun ones run for real in the fine-tune tests."""
import os
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_tool


@pytest.fixture
def fake_srun(tmp_path):
    srun = tmp_path / 'srun'
    srun.write_text('#!/usr/bin/env bash\necho "SRUN $*"\n')
    srun.chmod(0o755)
    return dict(PATH=f'{tmp_path}{os.pathsep}{os.environ["PATH"]}', GPUS='16')


def run(script, *args, env):
    out = run_tool([f'tools/benchmarks/{script}', *args], env=env, timeout=60).stdout
    return next(s for s in out.splitlines() if s.startswith('SRUN ')).split()


@pytest.mark.parametrize('lib', ['mmdetection', 'mmsegmentation'])
def test_slurm_train(fake_srun, lib):
    cmd = run(
        f'{lib}/mim_slurm_train.sh',
        'gpu',
        'configs/x/my-config.py',
        'ckpts/symmim.pth',
        '--cfg-options',
        'model.backbone.init_cfg.prefix=momentum_encoder.module.0.',
        env=fake_srun)
    assert Path(cmd[cmd.index('python') + 2]).resolve() == ROOT / 'tools/train.py'
    assert '--ntasks=16' in cmd and 'configs/x/my-config.py' in cmd
    assert '--work-dir=work_dirs/my-config/symmim' in cmd and '--launcher=slurm' in cmd
    options = cmd[cmd.index('--launcher=slurm') + 1:]
    assert options == [
        '--cfg-options', 'model.backbone.init_cfg.checkpoint=ckpts/symmim.pth', '--cfg-options',
        'model.backbone.init_cfg.prefix=momentum_encoder.module.0.'
    ]


@pytest.mark.parametrize('lib', ['mmdetection', 'mmsegmentation'])
def test_slurm_test(fake_srun, lib):
    cmd = run(
        f'{lib}/mim_slurm_test.sh',
        'gpu',
        'configs/x/my-config.py',
        'work/iter_9.pth',
        '--out',
        'r.pkl',
        env=fake_srun)
    assert Path(cmd[cmd.index('python') + 2]).resolve() == ROOT / 'tools/test.py'
    assert cmd[-5:] == [
        'configs/x/my-config.py', 'work/iter_9.pth', '--launcher=slurm', '--out', 'r.pkl'
    ]
