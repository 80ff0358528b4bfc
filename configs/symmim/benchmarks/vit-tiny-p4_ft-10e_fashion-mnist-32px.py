# Fine-tuning of the tiny ViT on Fashion-MNIST: 10 epochs on the 50,000 train images,
# validated on the val split, tested on the test split.
#   python tools/train.py configs/symmim/benchmarks/vit-tiny-p4_ft-10e_fashion-mnist-32px.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=CKPT
_base_ = [
    './_base_/vit-tiny-p4_ft.py',
    '../../_base_/datasets/fashion-mnist_32px.py',
]

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=9,
        eta_min=1e-6,
        by_epoch=True,
        begin=1,
        end=10,
        convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=10)
default_hooks = dict(logger=dict(interval=50))
