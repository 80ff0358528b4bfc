# Linear probe of a SymMIM ViT-S/16 (384 wide); otherwise as ViT-B.
_base_ = 'vit-base-p16_8xb2048-linear-coslr-90e_in1k.py'

model = dict(
    backbone=dict(arch='deit-small'), neck=dict(input_features=384), head=dict(in_channels=384))
