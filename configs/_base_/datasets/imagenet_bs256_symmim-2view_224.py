# ImageNet-1K, two augmented views per image for SymMIM's two encoders (`two_views=True`):
# MoCo v3's view pipelines (MMPretrain's mocov3 dataset config: crops of 20-100 %, colour
# jitter, grey, blur on the first view, rarely on the second, solarisation on the second
# only), then the masks (M1 for the first view, M2 for the second).
_base_ = './imagenet_bs256_symmim_224.py'

# No hue jitter: mmcv 2.1's adjust_hue overflows uint8 for negative shifts under numpy >= 2.
view = [
    dict(_base_.train_pipeline[1], crop_ratio_range=(0.2, 1.0)),
    dict(
        type='RandomApply',
        prob=0.8,
        transforms=[
            dict(type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.)
        ]),
    dict(
        type='RandomGrayscale',
        prob=0.2,
        keep_channels=True,
        channel_weights=(0.114, 0.587, 0.2989)),
]
blur = dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf')
# the one-view pipeline, for configs that inherit this one and need it (the SimMIM-style
# baseline, the literal SymMIM)
one_view_pipeline = _base_.train_pipeline
train_pipeline = [
    _base_.train_pipeline[0],
    dict(
        type='MultiView',
        num_views=[1, 1],
        transforms=[[*view, dict(blur, prob=1.0),
                     dict(type='RandomFlip', prob=0.5)],
                    [
                        *view,
                        dict(blur, prob=0.1),
                        dict(type='Solarize', thr=128, prob=0.2),
                        dict(type='RandomFlip', prob=0.5)
                    ]]),
    *_base_.train_pipeline[-2:],
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
