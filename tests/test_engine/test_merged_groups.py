"""MergedGroupsOptimWrapperConstructor: a few groups, the same training steps."""
import copy

import torch
from mmengine.optim import build_optim_wrapper

from tests.test_models.test_symmim import batch, build_model

OPTIM = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.95), weight_decay=0.05),
    # no clip_grad here: its total norm sums the parameters in group order, so merged groups
    # change the last bits of the norm (and Adam amplifies them in the k-biases, whose
    # gradient is ~0); every per-parameter update is otherwise the same.
    paramwise_cfg=dict(
        custom_keys={
            'ln': dict(decay_mult=0.),
            'bias': dict(decay_mult=0.),
            'pos_embed': dict(decay_mult=0.),
            'mask_token': dict(decay_mult=0.),
            'cls_token': dict(decay_mult=0.)
        }))


def test_groups_are_merged_and_steps_unchanged(message_hub):
    torch.manual_seed(0)
    model = build_model()
    data = [batch(model) for _ in range(3)]
    models, wrappers = {}, {}
    for constructor in ('DefaultOptimWrapperConstructor', 'MergedGroupsOptimWrapperConstructor'):
        models[constructor] = copy.deepcopy(model)
        wrappers[constructor] = build_optim_wrapper(models[constructor],
                                                    dict(OPTIM, constructor=constructor))
    default, merged = (wrappers[k].optimizer.param_groups for k in wrappers)
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert len(default) == len(trainable) and len(merged) == 2  # decay, no decay
    assert sorted(g['weight_decay'] for g in merged) == [0., 0.05]

    def names(model, groups):
        ids = {id(p) for g in groups for p in g['params']}
        return {n for n, p in model.named_parameters() if id(p) in ids}

    mine = models['MergedGroupsOptimWrapperConstructor']
    trained = names(mine, merged)
    assert trained == names(models['DefaultOptimWrapperConstructor'], default)
    assert trained and not any(n.startswith('momentum_encoder.') for n in trained)
    decay = next(g for g in merged if g['weight_decay'])
    assert any(p is mine.backbone.layers[0].attn.qkv.weight for p in decay['params'])
    assert not any(p is mine.backbone.cls_token for p in decay['params'])

    for step in data:
        for name, m in models.items():
            m.train_step(copy.deepcopy(step), wrappers[name])
    reference = dict(models['DefaultOptimWrapperConstructor'].named_parameters())
    for name, param in mine.named_parameters():
        torch.testing.assert_close(param, reference[name], rtol=0, atol=1e-6, msg=name)
    start = dict(model.named_parameters())
    assert not torch.equal(reference['backbone.layers.0.attn.qkv.weight'],
                           start['backbone.layers.0.attn.qkv.weight'])
