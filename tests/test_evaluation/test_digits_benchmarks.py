"""The digits kNN, linear-probe and fine-tune configs run from a SymMIM checkpoint."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS

ROOT = Path(__file__).parents[2]
BENCH = 'configs/symmim/benchmarks'
PRETRAIN = 'configs/symmim/symmim_vit-tiny-p4_digits-32px.py'


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """A (randomly initialised) SymMIM of the quickstart config, saved as the Runner does."""
    cfg = Config.fromfile(str(ROOT / PRETRAIN))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    path = tmp_path_factory.mktemp('ckpt') / 'symmim.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {'epoch': 30}}, path)
    return path


def run(*args):
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout + proc.stderr


def test_knn_eval_prints_accuracy(checkpoint):
    out = run('tools/analysis_tools/knn_eval.py', f'{BENCH}/vit-tiny-p4_knn_digits-32px.py',
              '--checkpoint', str(checkpoint))
    acc = float(re.search(r'top-1: ([0-9.]+) %', out).group(1))
    assert 10. < acc <= 100.
    assert '1438 bank / 359 queries' in out


@pytest.mark.parametrize('config, unexpected, missing', [
    ('vit-tiny-p4_linear-30e_digits-32px.py', 'mask_token', None),
    # fine-tuning pools patch tokens through a new norm (ln2) instead of the final ln1
    ('vit-tiny-p4_ft-30e_digits-32px.py', 'mask_token, ln1.weight, ln1.bias',
     'ln2.weight, ln2.bias'),
])
def test_linear_and_finetune_print_accuracy(checkpoint, tmp_path, config, unexpected, missing):
    out = run('tools/train.py', f'{BENCH}/{config}', '--work-dir', str(tmp_path),
              '--cfg-options', f'model.backbone.init_cfg.checkpoint={checkpoint}',
              'train_cfg.max_epochs=1', 'train_cfg.val_interval=1')
    assert re.search(r'accuracy/top1: [0-9.]+', out)
    assert re.search(r'unexpected key in source state_dict: (.*)', out).group(1) == unexpected
    found = re.search(r'missing keys in source state_dict: (.*)', out)
    assert (found and found.group(1)) == missing


def test_finetune_layer_decay_groups():
    cfg = Config.fromfile(str(ROOT / BENCH / 'vit-tiny-p4_ft-30e_digits-32px.py'))
    cfg.model.backbone.init_cfg = None
    from mmengine.optim import build_optim_wrapper
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    base, decay, layers = cfg.optim_wrapper.optimizer.lr, 0.65, 6
    seen = set()
    for group in wrapper.optimizer.param_groups:
        for name in group['param_names']:
            if name.startswith('backbone.layers.'):
                depth = int(name.split('.')[2]) + 1
            elif name.startswith(('backbone.patch_embed', 'backbone.cls_token',
                                  'backbone.pos_embed')):
                depth = 0
            else:
                depth = layers + 1
            assert group['lr'] == pytest.approx(base * decay ** (layers + 1 - depth)), name
            seen.add(name)
    assert seen == {n for n, p in model.named_parameters() if p.requires_grad}
