# MAE at a mask ratio of 50 % instead of 75 % (the mask-ratio sweep that SymMIM's one
# fixed 50 % mask is meant to spare).
_base_ = './mae_vit-tiny-p4_fashion-mnist-32px.py'

model = dict(backbone=dict(mask_ratio=0.50))
