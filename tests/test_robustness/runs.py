"""Short quickstart runs through tools/train.py, and reading what they logged."""
import glob
import json
import os
import runpy
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Sequence

ROOT = Path(__file__).parents[2]
CONFIG = 'configs/symmim/symmim_vit-tiny-p4_digits-32px.py'
# 3 iterations per epoch, a 2-block encoder, one value logged per iteration.
SHORT = ['train_dataloader.num_batch_per_epoch=3', 'train_dataloader.batch_size=16',
         'model.backbone.arch.num_layers=2', 'default_hooks.logger.interval=1',
         'log_processor.window_size=1', 'default_hooks.checkpoint.interval=1',
         'default_hooks.checkpoint.max_keep_ckpts=3']


def env() -> Dict[str, str]:
    """One thread per process, unbuffered output, the repo importable (test hooks)."""
    return dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1',
                PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]))


def train_cmd(config: str, work_dir, args: Sequence[str] = (), nproc: int = 1) -> List[str]:
    """The command line of tools/train.py (under torchrun when ``nproc > 1``)."""
    if nproc > 1:
        launch = [sys.executable, '-m', 'torch.distributed.run', f'--nproc_per_node={nproc}',
                  f'--master_port={free_port()}', 'tools/train.py', config,
                  '--launcher', 'pytorch']
    else:
        launch = [sys.executable, 'tools/train.py', config]
    return [*launch, '--work-dir', str(work_dir), *args]


def run(cmd: Sequence[str], timeout: int = 300, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``cmd`` in the repo root; with ``check``, fail on a non-zero exit."""
    proc = subprocess.run(list(map(str, cmd)), cwd=ROOT, env=env(), capture_output=True,
                          text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def run_all(cmds: Sequence[Sequence[str]], timeout: int = 300,
            parallel: int = 3) -> List[subprocess.CompletedProcess]:
    """Run several commands, ``parallel`` at a time (each is mostly imports)."""
    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(lambda cmd: run(cmd, timeout, check=False), cmds))


def run_script(monkeypatch, script: str, *args) -> None:
    """Run a tool script in this process, as ``python SCRIPT ARGS`` would."""
    monkeypatch.setattr(sys, 'argv', [script, *map(str, args)])
    runpy.run_path(str(ROOT / script), run_name='__main__')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def logged_losses(work_dir) -> Dict[int, Dict[str, float]]:
    """``{iteration: {loss, loss_rec, loss_con}}`` from every run's scalars.json in
    ``work_dir`` (a later run overrides the iterations it repeats)."""
    losses = {}
    for path in sorted(glob.glob(os.path.join(str(work_dir), '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if 'iter' in record:
                    losses[record['iter']] = {k: v for k, v in record.items() if 'loss' in k}
    return losses
