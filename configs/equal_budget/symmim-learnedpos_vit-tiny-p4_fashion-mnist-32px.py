# SymMIM with a learned position embedding instead of the default fixed 2-D sin-cos one.
_base_ = './symmim_vit-tiny-p4_fashion-mnist-32px.py'
model = dict(backbone=dict(sincos_pos_embed=False))
