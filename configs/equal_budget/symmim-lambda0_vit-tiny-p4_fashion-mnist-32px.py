# Ablation: SymMIM with λ = 0, the checkerboard masked image modeling alone (no momentum
# encoder, no contrast).
_base_ = './symmim_vit-tiny-p4_fashion-mnist-32px.py'
model = dict(con_weight=0.)
