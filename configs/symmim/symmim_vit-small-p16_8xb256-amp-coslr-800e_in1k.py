# ViT-S/16 (DeiT-S: 384 wide, 12 layers, 6 heads); everything else as ViT-B.
_base_ = 'symmim_vit-base-p16_8xb256-amp-coslr-800e_in1k.py'

model = dict(backbone=dict(arch='deit-small'), neck=dict(embed_dim=384))
