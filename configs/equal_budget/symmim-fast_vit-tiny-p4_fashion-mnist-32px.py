# SymMIM whose momentum encoder drops the M2-masked patches (about half the tokens)
# instead of encoding mask tokens in their place.
_base_ = './symmim_vit-tiny-p4_fashion-mnist-32px.py'
model = dict(momentum_drop_masked=True)
