"""Two gloo processes of 16 images train like one process of 32.

The quickstart's projector and predictor use BatchNorm, whose statistics are taken
over each process's own batch; PyTorch's SyncBatchNorm needs a GPU (on CPU it raises
``SyncBatchNorm expected input tensor to be on GPU``). The comparison therefore runs
the quickstart with a LayerNorm projector/predictor (the product configs are
unchanged), so that the maths of 2 x 16 and 1 x 32 are the same and what is compared
is the distributed machinery: sharded data order, DDP gradient averaging, negatives
gathered across ranks in MoCoV3Head, the EMA, scheduler and clipping. With the
BatchNorm projector the losses differ by a few percent, as BatchNorm makes them.
"""
import json

import pytest
import torch

from tests.conftest import ROOT, run_tool
from tests.test_robustness.runs import train_cmd

LOSS_RTOL = 1e-5  # float reductions in another order; measured about 2e-7
PARAM_ATOL = 1e-3  # AdamW magnifies them in near-zero gradients; measured about 3e-5

CONFIG = f"""
_base_ = '{ROOT}/configs/symmim/symmim_vit-tiny-p4_digits-32px.py'
custom_imports = dict(imports=['symmim_mm', 'tests.test_robustness.recorder'],
                      allow_failed_imports=False)


def mlp(in_channels, num_layers):  # per-sample normalisation: no batch statistics
    return dict(type='NonLinearNeck', in_channels=in_channels, hid_channels=256,
                out_channels=64, num_layers=num_layers, with_bias=False,
                with_last_bn=False, with_avg_pool=False, norm_cfg=dict(type='LN'))


model = dict(backbone=dict(arch=dict(num_layers=2)), projector=dict(_delete_=True, **mlp(96, 3)),
             contrast_head=dict(predictor=dict(_delete_=True, **mlp(64, 2))),
             two_views=False)
train_pipeline = [  # no random augmentation: both runs see the same pixels (one view)
    dict(type='SymmetricMaskGenerator', input_size=32, patch_size=4, block_size=8),
    dict(type='PackInputs', algorithm_keys=['momentum_mask'])]
train_dataloader = dict(batch_size=32, num_workers=0, persistent_workers=False,
                        num_batch_per_epoch=4, sampler=dict(seed=0),
                        dataset=dict(pipeline=train_pipeline))
train_cfg = dict(max_epochs=2)
default_hooks = dict(checkpoint=dict(interval=2))
custom_hooks = [dict(type='RandomStateHook'), dict(type='StopOnNonFiniteLossHook'),
                dict(type='LossRecorderHook')]
"""


def losses(work_dir, rank):
    with open(work_dir / f'losses_rank{rank}.jsonl') as f:
        return [json.loads(line) for line in f]


@pytest.mark.slow
def test_two_gloo_processes_equal_one_process_at_the_same_global_batch(tmp_path):
    config = tmp_path / 'dist_vs_single.py'
    config.write_text(CONFIG)
    single, dist = tmp_path / 'single', tmp_path / 'dist'
    run_tool(train_cmd(str(config), single))
    log = run_tool(
        train_cmd(str(config), dist, ['--cfg-options', 'train_dataloader.batch_size=16'],
                  nproc=2)).stdout
    assert 'Distributed training: True' in log

    one, ranks = losses(single, 0), (losses(dist, 0), losses(dist, 1))
    assert [r['iter'] for r in one] == [r['iter'] for r in ranks[1]] == list(range(1, 9))
    for ref, r0, r1 in zip(one, *ranks):
        for key in ('loss', 'loss_rec', 'loss_con'):
            # each rank's loss is the mean over its half of the batch
            mean = (r0[key] + r1[key]) / 2
            assert abs(mean - ref[key]) <= LOSS_RTOL * abs(ref[key]), (ref['iter'], key)
        assert r0['loss_con'] != r1['loss_con']  # the ranks did see different images

    weights = [
        torch.load(d / 'epoch_2.pth', weights_only=True)['state_dict'] for d in (single, dist)
    ]
    for key, value in weights[0].items():
        if value.is_floating_point():
            torch.testing.assert_close(weights[1][key], value, rtol=0, atol=PARAM_ATOL, msg=key)


@pytest.mark.slow
def test_lambda_zero_trains_under_ddp_without_find_unused_parameters(tmp_path):
    """With λ = 0 no momentum branch is built, so every parameter of the DDP-wrapped
    model gets a gradient and MMEngine's default ``find_unused_parameters=False`` holds
    past the second iteration (where an unused parameter would stop both ranks)."""
    config = ROOT / 'configs/symmim/symmim_vit-tiny-p4_digits-32px.py'
    log = run_tool(
        train_cmd(
            str(config),
            tmp_path, [
                '--cfg-options', 'model.con_weight=0.', 'train_dataloader.num_batch_per_epoch=2',
                'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
                'train_cfg.max_epochs=2', 'default_hooks.logger.interval=1'
            ],
            nproc=2)).output
    assert 'Distributed training: True' in log
    assert 'Expected to have finished reduction' not in log
    assert 'Epoch(train) [2][2/2]' in log
    state = torch.load(tmp_path / 'epoch_2.pth', weights_only=True)['state_dict']
    assert not any(k.startswith(('momentum_encoder.', 'projector.')) for k in state)
