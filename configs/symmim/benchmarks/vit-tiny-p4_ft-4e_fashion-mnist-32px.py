# Fine-tuning of the tiny ViT on Fashion-MNIST, 4 epochs: the short schedule of the
# equal-budget benchmark (tools/benchmarks/equal_budget.py --probe-epochs 4):
# batches of 64, so that a few thousand images still give a few hundred steps.
_base_ = './vit-tiny-p4_ft-10e_fashion-mnist-32px.py'

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
        T_max=3,
        eta_min=1e-6,
        by_epoch=True,
        begin=1,
        end=4,
        convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=4, val_interval=4)
train_dataloader = dict(batch_size=64)
optim_wrapper = dict(optimizer=dict(lr=5e-4))  # half the 10-epoch recipe's, for the smaller batch
