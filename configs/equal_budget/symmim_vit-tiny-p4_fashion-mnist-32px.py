# SymMIM on Fashion-MNIST, for the equal-budget benchmark (tools/benchmarks/equal_budget.py):
#   python tools/train.py configs/equal_budget/symmim_vit-tiny-p4_fashion-mnist-32px.py
_base_ = [
    './_base_/vit-tiny-p4_fashion-mnist-32px.py',
    '../_base_/models/symmim_vit-base-p16.py',
]

# 8 x 8 patch grid; M2 uses 8-px blocks (k = 2 patches, as 32 px / 16 px at 224).
model = dict(
    backbone=dict(arch=dict(_delete_=True, **_base_.encoder.arch), img_size=32,
                  patch_size=4),
    proj_hidden=512,
    proj_out=128)
train_dataloader = dict(dataset=dict(pipeline=[
    *_base_.augmentation,
    dict(type='SymmetricMaskGenerator', input_size=32, patch_size=4, block_size=8),
    dict(type='PackInputs', algorithm_keys=['momentum_mask']),
]))
