# Fine-tuning of the quickstart's encoder on the digits, 30 epochs.
#   python tools/train.py configs/symmim/benchmarks/vit-tiny-p4_ft-30e_digits-32px.py \
#       --cfg-options \
#       model.backbone.init_cfg.checkpoint=work_dirs/symmim_vit-tiny-p4_digits-32px/epoch_30.pth
_base_ = [
    './_base_/vit-tiny-p4_ft.py',
    '../../_base_/datasets/digits_32px.py',
]

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=3,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=27,
        eta_min=1e-6,
        by_epoch=True,
        begin=3,
        end=30,
        convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=10)
