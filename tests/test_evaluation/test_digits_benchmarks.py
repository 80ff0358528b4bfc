"""The digits kNN, linear-probe and fine-tune configs run from a SymMIM checkpoint."""
import re

import pytest
from mmengine.config import Config
from mmpretrain.registry import MODELS

from tests.conftest import ROOT, run_tool, save_symmim_checkpoint

BENCH = 'configs/symmim/benchmarks'
PRETRAIN = 'configs/symmim/symmim_vit-tiny-p4_digits-32px.py'


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """A (randomly initialised) SymMIM of the quickstart config, saved as the Runner does."""
    return save_symmim_checkpoint(
        Config.fromfile(str(ROOT / PRETRAIN)).model,
        tmp_path_factory.mktemp('ckpt') / 'symmim.pth')


def run(*args):
    return run_tool(args).output


@pytest.mark.slow
def test_knn_eval_prints_accuracy(checkpoint):
    out = run('tools/analysis_tools/knn_eval.py', f'{BENCH}/vit-tiny-p4_knn_digits-32px.py',
              '--checkpoint', str(checkpoint))
    acc = float(re.search(r'top-1: ([0-9.]+) %', out).group(1))
    assert 10. < acc <= 100.
    assert '1438 bank / 359 queries' in out


@pytest.mark.slow
@pytest.mark.parametrize(
    'config, unexpected, missing',
    [
        ('vit-tiny-p4_linear-30e_digits-32px.py', 'mask_token', None),
        # fine-tuning pools patch tokens through a new norm (ln2) instead of the final ln1
        ('vit-tiny-p4_ft-30e_digits-32px.py', 'mask_token, ln1.weight, ln1.bias',
         'ln2.weight, ln2.bias'),
    ])
def test_linear_and_finetune_print_accuracy(checkpoint, tmp_path, config, unexpected, missing):
    out = run('tools/train.py', f'{BENCH}/{config}', '--work-dir', str(tmp_path), '--cfg-options',
              f'model.backbone.init_cfg.checkpoint={checkpoint}', 'train_cfg.max_epochs=1',
              'train_cfg.val_interval=1')
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
    base, wd, decay, layers = cfg.optim_wrapper.optimizer.lr, 0.05, 0.65, 6
    seen = set()
    for group in wrapper.optimizer.param_groups:
        name, (param, ) = group['param_name'], group['params']
        if name.startswith('backbone.layers.'):
            depth = int(name.split('.')[2]) + 1
        elif name.startswith(('backbone.patch_embed', 'backbone.cls_token', 'backbone.pos_embed')):
            depth = 0
        else:
            depth = layers + 1
        assert group['lr'] == pytest.approx(base * decay**(layers + 1 - depth)), name
        no_decay = param.ndim == 1 or name.endswith(('cls_token', 'pos_embed'))
        assert group['weight_decay'] == (0. if no_decay else wd), name
        seen.add(name)
    assert seen == {n for n, p in model.named_parameters() if p.requires_grad}
    assert wrapper.optimizer.param_groups[0]['lr'] == base  # the logged lr: the top's
