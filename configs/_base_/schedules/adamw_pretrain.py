# The optimizer of every pretraining config: AdamW with MAE's betas and weight decay, no
# decay on norms, biases and tokens, gradients clipped at 5.0 (as SimMIM). Parameters go
# into two groups (decay, no decay) instead of one per parameter; the momentum encoder
# never gets a gradient and stays out of the optimizer. Each config sets its lr. On GPUs
# torch's AdamW takes its multi-tensor (foreach) path by default.
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='MergedGroupsOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1.5e-4, betas=(0.9, 0.95), weight_decay=0.05),
    clip_grad=dict(max_norm=5.0),
    paramwise_cfg=dict(
        custom_keys={
            'ln': dict(decay_mult=0.),
            'bias': dict(decay_mult=0.),
            'pos_embed': dict(decay_mult=0.),
            'mask_token': dict(decay_mult=0.),
            'cls_token': dict(decay_mult=0.)
        }))
