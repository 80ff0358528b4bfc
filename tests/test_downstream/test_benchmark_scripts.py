"""The slurm benchmark scripts build the right command (a stand-in `srun` prints it);
the torchrun ones run for real in the fine-tune tests."""
import os
import subprocess
from pathlib import Path

import pytest

from tests.test_downstream.conftest import ROOT


@pytest.fixture
def fake_srun(tmp_path):
    srun = tmp_path / 'srun'
    srun.write_text('#!/usr/bin/env bash\necho "SRUN $*"\n')
    srun.chmod(0o755)
    return dict(os.environ, PATH=f'{tmp_path}{os.pathsep}{os.environ["PATH"]}', GPUS='16')


def run(script, *args, env):
    proc = subprocess.run(['bash', f'tools/benchmarks/{script}', *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    line = next(s for s in proc.stdout.splitlines() if s.startswith('SRUN '))
    return line.split()


@pytest.mark.parametrize('lib', ['mmdetection', 'mmsegmentation'])
def test_slurm_train(fake_srun, lib):
    cmd = run(f'{lib}/mim_slurm_train.sh', 'gpu', 'configs/x/my-config.py', 'ckpts/symmim.pth',
              '--cfg-options', 'model.backbone.init_cfg.prefix=momentum_encoder.module.0.',
              env=fake_srun)
    assert Path(cmd[cmd.index('python') + 2]).resolve() == ROOT / 'tools/train.py'
    assert '--ntasks=16' in cmd and 'configs/x/my-config.py' in cmd
    assert '--work-dir=work_dirs/my-config/symmim' in cmd and '--launcher=slurm' in cmd
    options = cmd[cmd.index('--launcher=slurm') + 1:]
    assert options == [
        '--cfg-options', 'model.backbone.init_cfg.checkpoint=ckpts/symmim.pth',
        '--cfg-options', 'model.backbone.init_cfg.prefix=momentum_encoder.module.0.']


@pytest.mark.parametrize('lib', ['mmdetection', 'mmsegmentation'])
def test_slurm_test(fake_srun, lib):
    cmd = run(f'{lib}/mim_slurm_test.sh', 'gpu', 'configs/x/my-config.py', 'work/iter_9.pth',
              '--out', 'r.pkl', env=fake_srun)
    assert Path(cmd[cmd.index('python') + 2]).resolve() == ROOT / 'tools/test.py'
    assert cmd[-5:] == ['configs/x/my-config.py', 'work/iter_9.pth', '--launcher=slurm',
                        '--out', 'r.pkl']
