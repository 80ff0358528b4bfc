"""`tools/train.py --amp [fp16|bf16]` and the pretraining configs' mixed precision."""
import argparse
import importlib.util
from pathlib import Path

import pytest
from mmengine.config import Config

from symmim_mm.benchmarks.speed import optim_wrapper_config

ROOT = Path(__file__).parents[2]
CONFIGS = [
    ROOT / 'configs/symmim/symmim_vit-base-p16_8xb256-amp-coslr-800e_in1k.py',
    ROOT / 'configs/simmim/simmim_vit-large-p16_8xb256-amp-coslr-1600e_in1k.py'
]


def train_tool():
    spec = importlib.util.spec_from_file_location('train_tool', ROOT / 'tools/train.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def merged(config, amp):
    args = argparse.Namespace(
        no_validate=False,
        launcher='none',
        work_dir='work',
        amp=amp,
        resume=None,
        auto_scale_lr=False,
        no_pin_memory=False,
        no_persistent_workers=False,
        cfg_options=None)
    return train_tool().merge_args(Config.fromfile(str(config)), args)


@pytest.mark.parametrize('config', CONFIGS, ids=lambda p: p.name)
@pytest.mark.parametrize('amp, dtype', [(None, None), ('fp16', 'float16'), ('bf16', 'bfloat16')])
def test_amp_flag_chooses_the_dtype(config, amp, dtype):
    wrapper = merged(config, amp).optim_wrapper
    assert wrapper.type == 'AmpOptimWrapper'  # the configs train with AMP on GPUs
    assert wrapper.get('dtype') == dtype
    assert wrapper.optimizer.type == 'AdamW' and wrapper.clip_grad == dict(max_norm=5.0)


def test_the_pretraining_config_takes_optimwrapper_on_cpus():
    """`optim_wrapper.type=OptimWrapper` is all a CPU run needs: no AMP-only key is set."""
    cfg = Config.fromfile(str(CONFIGS[0]))
    cfg.merge_from_dict({'optim_wrapper.type': 'OptimWrapper'})
    assert not {'loss_scale', 'dtype'} & set(cfg.optim_wrapper)
    assert optim_wrapper_config(cfg, 'cpu') == cfg.optim_wrapper


@pytest.mark.parametrize('config', CONFIGS, ids=lambda p: p.name)
def test_collate_fn_carries_no_scope(config):
    """MMEngine 0.10 passes every key of `collate_fn` to the function."""
    assert Config.fromfile(str(config)).train_dataloader.collate_fn == dict(type='default_collate')
