"""A run killed with SIGKILL and resumed repeats the uninterrupted run; checkpoints are
never half-written."""
import os
import signal
import subprocess
import sys
import time

import torch

from symmim_mm.utils.checkpoint import find_resumable_checkpoint, save_atomic
from tests.test_robustness.runs import (CONFIG, ROOT, SHORT, env, logged_losses, run,
                                        train_cmd)

# 5 epochs of 3 iterations, random crops, one persistent data-loading worker.
OPTIONS = ['--cfg-options', 'train_cfg.max_epochs=5', 'train_dataloader.num_workers=1',
           'train_dataloader.persistent_workers=True', *SHORT]
KILL_AT = 'Epoch(train) [3][2/3]'  # iteration 8, after the epoch-2 checkpoint


def test_sigkill_then_resume_repeats_the_uninterrupted_run(tmp_path):
    full, crashed = tmp_path / 'full', tmp_path / 'crashed'
    run(train_cmd(CONFIG, full, OPTIONS))

    proc = subprocess.Popen(train_cmd(CONFIG, crashed, OPTIONS), cwd=ROOT, env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if KILL_AT in line:
            proc.send_signal(signal.SIGKILL)
            break
    assert proc.wait(timeout=60) == -signal.SIGKILL
    proc.stdout.close()
    saved = sorted(p.name for p in crashed.glob('*.pth'))
    assert 'epoch_2.pth' in saved, saved
    for name in saved:  # every checkpoint on disk is whole, and tensors only
        torch.load(crashed / name, weights_only=True)
    last = (crashed / 'last_checkpoint').read_text().strip()

    log = run(train_cmd(CONFIG, crashed, ['--resume', *OPTIONS])).stdout
    epoch = int(os.path.basename(last)[len('epoch_'):-len('.pth')])
    assert f'resumed epoch: {epoch}, iter: {3 * epoch}' in log
    assert 'Random states restored from the checkpoint.' in log

    expected, resumed = logged_losses(full), logged_losses(crashed)
    assert sorted(expected) == sorted(resumed) == list(range(1, 16))
    for it in range(3 * epoch + 1, 16):  # the iterations the resumed run trained
        assert resumed[it] == expected[it], (it, resumed[it], expected[it])
    final = [torch.load(d / 'epoch_5.pth', weights_only=True) for d in (full, crashed)]
    for key, value in final[0]['state_dict'].items():
        assert torch.equal(value, final[1]['state_dict'][key]), key


WRITER = '''
import sys, time
import torch
import mmengine.runner.runner as runner_module
import symmim_mm  # noqa: F401  (atomic Runner checkpoints)


class Slow:
    """Pickled in the middle of the checkpoint: signals, then waits to be killed."""

    def __reduce__(self):
        open(sys.argv[2], 'w').close()
        time.sleep(60)
        return int, (0, )


state = {'w': torch.full((1000, ), 2.)}
runner_module.save_checkpoint({'state_dict': state, 'slow': Slow()}, sys.argv[1])
'''


def test_a_killed_checkpoint_write_leaves_the_previous_file_whole(tmp_path):
    ckpt, started = tmp_path / 'epoch_1.pth', tmp_path / 'started'
    save_atomic({'state_dict': {'w': torch.ones(1000)}}, str(ckpt))
    proc = subprocess.Popen([sys.executable, '-c', WRITER, str(ckpt), str(started)], cwd=ROOT,
                            env=env())
    deadline = time.time() + 60
    while not started.exists():
        assert proc.poll() is None and time.time() < deadline, 'the writer did not start'
        time.sleep(0.05)
    temporary = list(tmp_path.glob('.epoch_1.pth.*.tmp'))
    assert temporary, 'the Runner writes straight to the final path'
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL

    kept = torch.load(ckpt, weights_only=True)  # the previous checkpoint, whole
    assert torch.equal(kept['state_dict']['w'], torch.ones(1000))
    save_atomic({'state_dict': {'w': torch.zeros(1)}}, str(ckpt))  # the next write cleans up
    assert not list(tmp_path.glob('.epoch_1.pth.*.tmp'))
    assert torch.load(ckpt, weights_only=True)['state_dict']['w'].shape == (1, )


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
