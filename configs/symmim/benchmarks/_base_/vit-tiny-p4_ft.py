# Fine-tuning of the tiny ViT (BEiT / MAE recipe, scaled down): all layers, layer-wise lr
# decay 0.65, average-pooled patch features, drop path 0.1, label smoothing. The configs that
# inherit it add the data and the schedule.
_base_ = './vit-tiny-p4_classifier.py'

model = dict(
    backbone=dict(out_type='avg_featmap', final_norm=False, drop_path_rate=0.1),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=96,
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        init_cfg=[dict(type='TruncNormal', layer='Linear', std=2e-5)]))

# Layer-wise lr decay: lr = base_lr * 0.65 ** (num_layers + 1 - depth); no weight decay on
# norms, biases (every 1-D parameter) and tokens.
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05),
    constructor='LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(
        layer_decay_rate=0.65,
        flat_decay_mult=0.,
        custom_keys={
            'pos_embed': dict(decay_mult=0.),
            'cls_token': dict(decay_mult=0.)
        }))
