# SymMIM with a ViT-B/16 encoder; every option of the method is a key of `model`.
# Choices the paper leaves open, made on Fashion-MNIST's validation split (docs/method.md):
# - the online encoder encodes only the M1-visible half of the patches (MAE style) and
#   MMPretrain's MAE decoder puts mask tokens back and predicts the masked ones: kNN +2.6
#   over mask tokens in place, at about half the encoder FLOPs;
# - the two encoders see two augmented views (MoCo v3 style, `two_views=True`, see the
#   dataset config): kNN +5.1 over one shared view;
# - targets are the normalised pixels with L1, as SimMIM (norm-pix L2 targets: -1.9).
# MoCo v3's MLP (BN after every layer, affine-free BN at the end) for projector and predictor.
moco_v3_mlp = dict(
    type='NonLinearNeck',
    with_bias=False,
    with_last_bn=True,
    with_last_bn_affine=False,
    with_last_bias=False,
    with_avg_pool=False,
    norm_cfg=dict(type='BN1d'))
model = dict(
    type='SymMIM',
    backbone=dict(
        type='SymMIMViT',
        arch='base',
        img_size=224,
        patch_size=16,
        out_type='raw',
        # Fixed 2-D sin-cos positions (as MAE): a learned embedding under the checkerboard
        # mask learns little (Fashion-MNIST val kNN: 60.0 % learned, 71.8 % sin-cos).
        sincos_pos_embed=True),
    online_drop_masked=True,
    # MAE's decoder, 2 blocks instead of MAE's 8: a cheaper step (SymMIM's encoder already
    # sees twice MAE's patches) for a decoder whose depth mostly matters to linear probes.
    neck=dict(
        type='MAEPretrainDecoder',
        num_patches=196,
        patch_size=16,
        in_chans=3,
        embed_dim=768,
        decoder_embed_dim=512,
        decoder_depth=2,
        decoder_num_heads=16,
        mlp_ratio=4.),
    head=dict(
        type='MAEPretrainHead',
        norm_pix=False,
        patch_size=16,
        loss=dict(type='PixelReconstructionLoss', criterion='L1')),
    two_views=True,
    momentum_drop_masked=True,  # the momentum encoder skips its M2-masked patches too
    momentum_input='masked',  # the image under M2 (the full image: kNN -2.4)
    con_weight=1.0,  # λ; 0 = pure MIM (no momentum branch is built)
    base_momentum=0.01,  # 1 - m, cosine to 0 (m: 0.99 -> 1)
    # MoCo v3's projector and predictor; `projector.in_channels` is the encoder width.
    projector=dict(moco_v3_mlp, hid_channels=4096, out_channels=256, num_layers=3),
    # InfoNCE on the CLS embeddings, τ = 0.2, loss weight 2τ (MoCo v3);
    # SymMIMPatchContrastHead (τ 0.1) contrasts patches instead (ConMIM style).
    contrast_head=dict(
        type='MoCoV3Head',
        predictor=dict(
            moco_v3_mlp, in_channels=256, hid_channels=4096, out_channels=256, num_layers=2),
        temperature=0.2,
        loss=dict(type='CrossEntropyLoss', loss_weight=0.4)))
