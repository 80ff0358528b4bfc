# The tiny ViT of the quickstart and of the equal-budget benchmark (96 wide, 6 layers, 4-px
# patches, 32-px images) as an MMPretrain classifier; `init_cfg.checkpoint` takes a SymMIM
# checkpoint (prefix 'backbone.', or 'momentum_encoder.module.0.' for the momentum encoder).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(embed_dims=96, num_layers=6, num_heads=3, feedforward_channels=384),
        img_size=32,
        patch_size=4,
        out_type='cls_token',
        final_norm=True,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')))
