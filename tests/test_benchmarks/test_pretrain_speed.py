"""pretrain_speed and gpu_benchmark.sh: models and optimizer wrappers from configs, steps
through ``train_step``, FLOPs, memory, MFU, the report; CPU runs on tiny configs."""
import json
import subprocess
from pathlib import Path

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper

from symmim_mm.benchmarks.gpu_report import markdown, parse_run, training_speed
from symmim_mm.benchmarks.speed import (build_model, build_optimizer, compile_encoders,
                                        count_flops, dense_bf16_peak, load_config, make_batches,
                                        optim_wrapper_config, step_figures)
from symmim_mm.testing.fake_data import coco_classes
from tests.test_downstream.conftest import DET_CONFIG, SEG_CONFIG, tiny_config
from tests.test_downstream.test_mmdet_finetune import TINY as TINY_DET
from tests.test_downstream.test_mmseg_finetune import TINY as TINY_SEG

ROOT = Path(__file__).parents[2]
PRETRAIN = '{algo}_vit-base-p16_8xb256-amp-coslr-800e_in1k.py'
ARCH = "dict(_delete_=True, embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)"
LOAD = """dict(type='{loader}'),
    dict(type='RandomResizedCrop', scale=64, crop_ratio_range=(0.67, 1.0), backend='pillow',
         interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),"""
# The shipped ImageNet pretraining configs at 64 px with a 32-wide, 2-layer ViT-?/16.
TINY = {
    'simmim':
    f"""_base_ = ['{ROOT}/configs/simmim/{PRETRAIN.format(algo='simmim')}']
model = dict(backbone=dict(arch={ARCH}, img_size=64), neck=dict(in_channels=32))
train_dataloader = dict(dataset=dict(pipeline=[
    {LOAD.format(loader='RobustLoadImageFromFile')}
    dict(type='SimMIMMaskGenerator', input_size=64, mask_patch_size=32, model_patch_size=16,
         mask_ratio=0.6),
    dict(type='PackInputs')]))
""",
    'symmim':
    f"""_base_ = ['{ROOT}/configs/symmim/{PRETRAIN.format(algo='symmim')}']
model = dict(backbone=dict(arch={ARCH}, img_size=64),
             projector=dict(hid_channels=64, out_channels=16),
             contrast_head=dict(predictor=dict(in_channels=16, hid_channels=64, out_channels=16)),
             neck=dict(num_patches=16, embed_dim=32, decoder_embed_dim=32, decoder_depth=1,
                       decoder_num_heads=2))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='RobustLoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=[[
        dict(type='FastRandomResizedCrop', scale=64, crop_ratio_range=(0.2, 1.0)),
        dict(type='RandomFlip', prob=0.5)]]),
    dict(type='SymmetricMaskGenerator', input_size=64, patch_size=16, block_size=32),
    dict(type='PackInputs', algorithm_keys=['momentum_mask'])]))
""",
    'mae':
    f"""_base_ = ['mmpretrain::mae/mae_vit-base-p16_8xb512-amp-coslr-800e_in1k.py']
model = dict(backbone=dict(arch={ARCH}, img_size=64),
             neck=dict(num_patches=16, embed_dim=32, decoder_embed_dim=32, decoder_depth=1,
                       decoder_num_heads=2))
train_dataloader = dict(dataset=dict(pipeline=[
    {LOAD.format(loader='LoadImageFromFile')}
    dict(type='PackInputs')]))
""",
}


@pytest.fixture
def max_iters():
    MessageHub.get_instance('speed_test').update_info('max_iters', 100)  # SymMIM's EMA


def test_amp_needs_a_gpu_the_rest_of_the_wrapper_stays(tiny):
    cfg = load_config(str(tiny['symmim']))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    on_gpu = optim_wrapper_config(cfg, 'cuda', amp='bf16')
    assert on_gpu.type == 'AmpOptimWrapper' and on_gpu.dtype == 'bfloat16'
    assert optim_wrapper_config(cfg, 'cuda').get('dtype') is None  # the config's fp16
    on_cpu = optim_wrapper_config(cfg, 'cpu', amp='bf16')
    assert on_cpu.type == 'OptimWrapper' and 'dtype' not in on_cpu
    assert on_cpu.clip_grad == dict(max_norm=5.0) and on_cpu.optimizer.type == 'AdamW'
    assert 'mask_token' in on_cpu.paramwise_cfg.custom_keys
    with pytest.raises(ValueError, match='`amp` must be one of'):
        optim_wrapper_config(cfg, 'cuda', amp='fp8')


def test_a_step_is_the_models_train_step_with_the_configs_wrapper(tiny, max_iters):
    cfg = load_config(str(tiny['symmim']))
    model = build_model(cfg)
    optim_wrapper = build_optimizer(model, cfg, 'cpu')
    assert type(optim_wrapper) is OptimWrapper and optim_wrapper.clip_grad_kwargs == dict(
        max_norm=5.0)
    decays = {g['weight_decay'] for g in optim_wrapper.optimizer.param_groups}
    assert decays == {0.0, 0.05}  # paramwise_cfg applied
    batches = make_batches(cfg, str(tiny['photo']), batch_size=3)
    assert [view.shape for view in batches[0]['inputs']] == [(3, 3, 64, 64)] * 2  # 2 views
    assert batches[0]['inputs'][0].dtype == torch.uint8  # normalised by the data preprocessor
    assert batches[0]['data_samples'][0].momentum_mask.shape == (4, 4)
    online = model.backbone.patch_embed.projection.weight.detach().clone()
    momentum = model.momentum_encoder.module[0].patch_embed.projection.weight.detach().clone()
    for batch in batches:
        model.train_step(batch, optim_wrapper)
    assert not torch.equal(online, model.backbone.patch_embed.projection.weight)
    assert not torch.equal(momentum,
                           model.momentum_encoder.module[0].patch_embed.projection.weight)


def test_the_momentum_encoder_costs_flops(tiny, max_iters):
    flops = {}
    for name in ('simmim', 'symmim'):
        cfg = load_config(str(tiny[name]))
        model = build_model(cfg)
        flops[name] = count_flops(model, build_optimizer(model, cfg, 'cpu'),
                                  make_batches(cfg, str(tiny['photo']), 2, num=1)[0])
    assert 0 < flops['simmim'] < flops['symmim']


def test_compile_encoders_keeps_parameter_names(tiny, max_iters):
    cfg = load_config(str(tiny['symmim']))
    model = build_model(cfg)
    keys = list(model.state_dict())
    assert compile_encoders(model, backend='eager') == ['backbone', 'momentum_encoder.module.0']
    assert list(model.state_dict()) == keys
    optim_wrapper = build_optimizer(model, cfg, 'cpu')
    log_vars = model.train_step(make_batches(cfg, str(tiny['photo']), 2, num=1)[0], optim_wrapper)
    assert torch.isfinite(log_vars['loss'])


def test_dense_bf16_peak_by_gpu_name(monkeypatch):
    assert dense_bf16_peak('cpu') is None
    for name, peak in [('NVIDIA H100 80GB HBM3', 989e12), ('NVIDIA H200', 989e12),
                       ('NVIDIA H100 PCIe', 756e12), ('NVIDIA A100-SXM4-80GB', 312e12),
                       ('Tesla V100-SXM2-32GB', None)]:
        monkeypatch.setattr(torch.cuda, 'get_device_name', lambda device=None, n=name: n)
        assert dense_bf16_peak('cuda') == peak, name


def test_step_figures_ratios_and_mfu():
    steps = dict(
        simmim=dict(step_s=0.5, flops=4e12, memory_bytes=2 * 2**30),
        symmim=dict(step_s=0.625, flops=6e12, memory_bytes=3 * 2**30))
    rows = step_figures(steps, 'simmim', batch_size=256, gemm_peak=20e12, dense_peak=989e12)
    assert rows['simmim']['step_ratio'] == 1 and rows['simmim']['memory_ratio'] == 1
    sym = rows['symmim']
    assert sym['images_per_s'] == pytest.approx(409.6)
    assert sym['images_per_s_ratio'] == pytest.approx(0.8)
    assert sym['memory_mib'] == 3072 and sym['memory_ratio'] == pytest.approx(1.5)
    assert sym['achieved_tflop_s'] == pytest.approx(9.6)
    assert sym['mfu'] == pytest.approx(0.48)
    assert sym['mfu_dense_peak'] == pytest.approx(9.6 / 989)
    assert step_figures(steps, 'simmim', 256, 20e12, None)['symmim']['mfu_dense_peak'] is None


def test_training_speed_from_the_logged_scalars(tmp_path):
    scalars = tmp_path / '20250101_000000' / 'vis_data' / 'scalars.json'
    scalars.parent.mkdir(parents=True)
    lines = [dict(lr=1e-4, loss=1.0, time=9.0, data_time=8.0, iter=1, memory=100)]
    lines += [
        dict(lr=1e-4, loss=1.0, time=t, data_time=0.05, iter=i + 2, memory=120)
        for i, t in enumerate([0.5, 0.4, 0.6])
    ]
    lines.append({'accuracy/top1': 50.0, 'step': 4})  # an evaluation entry
    scalars.write_text('\n'.join(json.dumps(line) for line in lines))
    speed = training_speed(str(tmp_path), batch_size=256, skip=1)
    assert speed['iterations'] == 3 and speed['s_per_iter'] == 0.5
    assert speed['images_per_s'] == 512 and speed['memory_mib'] == 120
    assert speed['data_time_fraction'] == pytest.approx(0.1)
    assert parse_run(f'pretrain={tmp_path}:256:10') == ('pretrain', (str(tmp_path), 256, 10))
    with pytest.raises(Exception, match='NAME=WORK_DIR:BATCH'):
        parse_run('pretrain')
    report = markdown(dict(speed={}, training=dict(pretrain=speed)))
    assert '| pretrain | 256 | 3 | 0.500 | 512.0 | 10.0 % | 120 |' in report


def run(cmd, env=None, timeout=1200):
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def tiny_downstream(root: Path) -> dict:
    """Tiny Mask R-CNN / UperNet configs (those of tests/test_downstream) for the data of
    make_fake_data.py (COCO's 80 classes)."""
    det = tiny_config(root / 'tiny_det.py', DET_CONFIG, TINY_DET)
    coco = root / 'tiny_det_coco.py'
    coco.write_text(f"""_base_ = ['{det}']
classes = {coco_classes()!r}
model = dict(roi_head=dict(bbox_head=dict(num_classes=80), mask_head=dict(num_classes=80)))
train_dataloader = dict(dataset=dict(metainfo=dict(classes=classes)))
""")
    seg = tiny_config(root / 'tiny_seg.py', SEG_CONFIG, TINY_SEG)
    return dict(DET_CONFIG=str(coco), SEG_CONFIG=str(seg))
