# SymMIM with a ViT-B/16 encoder. The decoder, reconstruction head, projector and
# predictor are built from the encoder's width and patch size (see SymMIM's docstring);
# every option of the method is a key of `model`.
model = dict(
    type='SymMIM',
    backbone=dict(
        type='SymMIMViT', arch='base', img_size=224, patch_size=16, out_type='raw',
        # Fixed 2-D sin-cos positions (as MAE): a learned embedding under the checkerboard
        # mask learns little (Fashion-MNIST val kNN: 60.0 % learned, 71.8 % sin-cos).
        sincos_pos_embed=True),
    rec_loss='L1',            # L1 on masked pixels (SimMIM); 'L2' is the option
    norm_pix=False,           # per-patch normalised targets (MAE) when True
    contrast_level='global',  # MoCo v3 InfoNCE on CLS; 'patch' for ConMIM-style
    temperature=None,         # 0.2 for global, 0.1 for patch
    con_weight=1.0,           # λ; 0 = pure MIM
    base_momentum=0.01,       # 1 - m, cosine to 0 (m: 0.99 -> 1)
    two_views=False,
    proj_hidden=4096,         # projector / predictor MLP widths (MoCo v3)
    proj_out=256)
