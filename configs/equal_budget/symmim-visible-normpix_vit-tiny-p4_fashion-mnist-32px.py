# The skipped-half SymMIM with MAE's target: per-patch normalised pixels, L2.
_base_ = './symmim-visible_vit-tiny-p4_fashion-mnist-32px.py'

model = dict(head=dict(norm_pix=True, loss=dict(criterion='L2')))
