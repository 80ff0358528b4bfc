# SymMIM as the paper reads literally: masked patches replaced in place by a mask token and
# the whole sequence encoded, a linear decoder (1x1 conv + PixelShuffle, SimMIM), L1 on the
# masked pixels, both encoders on the same view.
_base_ = './symmim_vit-base-p16.py'

model = dict(
    online_drop_masked=False,
    momentum_drop_masked=False,
    two_views=False,
    neck=dict(_delete_=True, type='SimMIMLinearDecoder', in_channels=768, encoder_stride=16),
    head=dict(_delete_=True, type='SymMIMPixelHead', patch_size=16, criterion='L1'))
