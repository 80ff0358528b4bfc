# UperNet on ADE20K with a SymMIM ViT-B/16 (the BEiT / MAE recipe): maps of blocks
# 3, 5, 7, 11 through Feature2Pyramid (x4, x2, x1, x0.5), UPerHead + FCN auxiliary head,
# 512 x 512 crops, AdamW lr 1e-4, weight decay 0.05, layer-wise lr decay 0.65,
# 160k iterations of 16 images (8 GPUs x 2), mixed precision.
#   bash tools/benchmarks/mmsegmentation/mim_dist_train.sh \
#       configs/mmseg/upernet_symmim-vit-base-p16_8xb2-amp-160k_ade20k-512x512.py PRETRAIN.pth 8
# PRETRAIN: a SymMIM checkpoint (online encoder under `backbone.`; for the momentum
# encoder add `--cfg-options model.backbone.init_cfg.prefix=momentum_encoder.module.0.`).
_base_ = [
    'mmseg::_base_/models/upernet_mae.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_160k.py',
]
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(
        _delete_=True,
        type='SymMIMViTSeg',
        arch='base',
        img_size=crop_size,
        patch_size=16,
        out_indices=(3, 5, 7, 11),
        drop_path_rate=0.1,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(embed_dim=768, rescales=[4, 2, 1, 0.5]),
    decode_head=dict(in_channels=[768, 768, 768, 768], channels=768, num_classes=150),
    auxiliary_head=dict(in_channels=768, num_classes=150),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(341, 341)))

optim_wrapper = dict(
    _delete_=True,
    type='AmpOptimWrapper',
    constructor='LayerDecayOptimWrapperConstructor',
    # no weight decay on norms, biases (every 1-D parameter) and tokens
    paramwise_cfg=dict(
        layer_decay_rate=0.65,
        flat_decay_mult=0.,
        custom_keys={
            'pos_embed': dict(decay_mult=0.),
            'cls_token': dict(decay_mult=0.)
        }),
    optimizer=dict(type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, by_epoch=False, begin=1500, end=160000),
]

# checkpoints written atomically, loadable with weights_only=True (resume needs no trust)
default_hooks = dict(checkpoint=dict(type='SafeCheckpointHook'))

train_dataloader = dict(batch_size=2, collate_fn=dict(type='pseudo_collate'))
val_dataloader = dict(batch_size=1, collate_fn=dict(type='pseudo_collate'))
test_dataloader = val_dataloader
