# SymMIM ViT-B/16 as the paper reads literally: masked patches replaced in place by the
# mask token and the whole sequence encoded, linear decoder, L1, both encoders on one view.
# The previous default, kept for comparison; data, optimizer and schedule as the default.
_base_ = './symmim_vit-base-p16_8xb256-amp-coslr-800e_in1k.py'

model = dict(
    online_drop_masked=False,
    momentum_drop_masked=False,
    two_views=False,
    neck=dict(_delete_=True, type='SymMIMLinearDecoder', in_channels=768, encoder_stride=16))
train_dataloader = dict(dataset=dict(pipeline=_base_.one_view_pipeline))
