# Linear probe of the tiny ViT on Fashion-MNIST, 4 epochs: the short schedule of the
# equal-budget benchmark (tools/benchmarks/equal_budget.py --probe-epochs 4):
# batches of 64, so that a few thousand images still give a few hundred steps.
_base_ = './vit-tiny-p4_linear-10e_fashion-mnist-32px.py'

param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=4,
        by_epoch=True,
        begin=0,
        end=4,
        convert_to_iter_based=True)
]
train_cfg = dict(by_epoch=True, max_epochs=4, val_interval=4)
train_dataloader = dict(batch_size=64)
