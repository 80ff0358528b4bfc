"""A run killed with SIGKILL and resumed repeats the uninterrupted run; checkpoints are
never half-written."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from symmim_mm.utils import find_resumable_checkpoint, save_atomic
from symmim_mm.visualization import load_curves
from tests.conftest import ROOT, run_tool, tool_cmd, tool_env
from tests.test_robustness.runs import CONFIG, SHORT, train_cmd

# 5 epochs of 3 iterations, random crops, one persistent data-loading worker.
OPTIONS = [
    '--cfg-options', 'train_cfg.max_epochs=5', 'train_dataloader.num_workers=1',
    'train_dataloader.persistent_workers=True', *SHORT
]
KILL_AT = 'Epoch(train) [3][2/3]'  # iteration 8, after the epoch-2 checkpoint
LOSSES = ('loss', 'loss_rec', 'loss_con')


@pytest.mark.slow
def test_sigkill_then_resume_repeats_the_uninterrupted_run(tmp_path):
    full, crashed = tmp_path / 'full', tmp_path / 'crashed'
    run_tool(train_cmd(CONFIG, full, OPTIONS))

    proc = subprocess.Popen(
        tool_cmd(train_cmd(CONFIG, crashed, OPTIONS)),
        cwd=ROOT,
        env=tool_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True)
    for line in proc.stdout:
        if KILL_AT in line:
            proc.send_signal(signal.SIGKILL)
            break
    assert proc.wait(timeout=60) == -signal.SIGKILL
    proc.stdout.close()
    saved = sorted(p.name for p in crashed.glob('*.pth'))
    assert 'epoch_2.pth' in saved, saved
    for name in saved:  # every checkpoint on disk is whole, and tensors and plain types only
        assert torch.serialization.get_unsafe_globals_in_checkpoint(crashed / name) == []
        torch.load(crashed / name, weights_only=True)
    last = (crashed / 'last_checkpoint').read_text().strip()

    log = run_tool(train_cmd(CONFIG, crashed, ['--resume', *OPTIONS])).stdout
    epoch = int(os.path.basename(last)[len('epoch_'):-len('.pth')])
    assert f'resumed epoch: {epoch}, iter: {3 * epoch}' in log
    assert 'Random states restored from the checkpoint.' in log

    expected, resumed = load_curves(str(full)), load_curves(str(crashed))
    for key in LOSSES:
        assert sorted(expected[key]) == sorted(resumed[key]) == list(range(1, 16))
        for it in range(3 * epoch + 1, 16):  # the iterations the resumed run trained
            assert resumed[key][it] == expected[key][it], (key, it)
    final = [torch.load(d / 'epoch_5.pth', weights_only=True) for d in (full, crashed)]
    for key, value in final[0]['state_dict'].items():
        assert torch.equal(value, final[1]['state_dict'][key]), key
    # the log history came back from the plain-type MessageHub state, and went on
    scalars = final[1]['message_hub']['log_scalars']['train/loss']
    assert len(scalars['log_history']) == 15


# Writes `state` over the file argv[1] the way each writer of the package does, and stalls
# (signalling through the file argv[2]) when the bytes are written but not yet in place.
WRITER = '''
import os, sys, time
import torch
from mmengine.runner.checkpoint import save_checkpoint
from symmim_mm.utils import save_tensors


def stall(fd):
    open(sys.argv[2], 'w').close()
    time.sleep(60)


os.fsync = stall  # the temporary file is complete, the rename not done: be killed here
state = {'w': torch.full((1000, ), 2.)}
if sys.argv[3] == 'runner':  # what SafeCheckpointHook makes Runner.save_checkpoint do
    save_checkpoint({'state_dict': state}, sys.argv[1], backend_args=dict(backend='local_atomic'))
else:  # the converter
    save_tensors(state, sys.argv[1])
'''


@pytest.mark.slow
@pytest.mark.parametrize('writer', ['runner', 'converter'])
def test_a_killed_checkpoint_write_leaves_the_previous_file_whole(tmp_path, writer):
    ckpt, started = tmp_path / 'epoch_1.pth', tmp_path / 'started'
    save_atomic({'w': torch.ones(1000)}, ckpt)
    proc = subprocess.Popen(
        tool_cmd([sys.executable, '-c', WRITER, ckpt, started, writer]), cwd=ROOT, env=tool_env())
    deadline = time.time() + 120
    while not started.exists():
        assert proc.poll() is None and time.time() < deadline, 'the writer did not start'
        time.sleep(0.05)
    assert list(tmp_path.glob('.epoch_1.pth.*.tmp')), 'written straight to the final path'
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL

    kept = torch.load(ckpt, weights_only=True)  # the previous checkpoint, whole
    assert torch.equal(kept['w'], torch.ones(1000))
    save_atomic({'w': torch.zeros(1)}, ckpt)  # the next write cleans up
    assert not list(tmp_path.glob('.epoch_1.pth.*.tmp'))
    assert torch.load(ckpt, weights_only=True)['w'].shape == (1, )


def test_auto_resume_survives_a_lost_last_checkpoint_record(tmp_path):
    for epoch in (1, 2):
        save_atomic({'state_dict': {'w': torch.ones(1)}}, str(tmp_path / f'epoch_{epoch}.pth'))
        time.sleep(0.01)
    (tmp_path / '.epoch_3.pth.x1.tmp').write_bytes(b'half a checkpoint')  # killed mid-write
    assert find_resumable_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_2.pth')
    (tmp_path / 'last_checkpoint').write_text('')  # killed between truncate and write
    assert find_resumable_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_2.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_1.pth'))
    assert find_resumable_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_1.pth')
    assert find_resumable_checkpoint(str(tmp_path / 'empty')) is None
