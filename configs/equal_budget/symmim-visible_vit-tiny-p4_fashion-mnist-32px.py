# SymMIM whose online encoder encodes only the M1-visible half of the patches (32 of 64),
# MAE style: MMPretrain's MAEPretrainDecoder (the light decoder of the MAE config, 64 wide,
# 2 blocks) puts mask tokens back by `ids_restore` and reconstructs the masked patches
# (L1 on the normalised pixels, as the default); the momentum encoder drops its M2-masked
# patches too. About half the encoder tokens of the in-place path.
_base_ = './symmim_vit-tiny-p4_fashion-mnist-32px.py'

model = dict(
    online_drop_masked=True,
    momentum_drop_masked=True,
    neck=dict(type='MAEPretrainDecoder', num_patches=64, patch_size=4, embed_dim=96,
              decoder_embed_dim=64, decoder_depth=2, decoder_num_heads=2),
    head=dict(type='MAEPretrainHead', norm_pix=False, patch_size=4,
              loss=dict(type='PixelReconstructionLoss', criterion='L1')))
