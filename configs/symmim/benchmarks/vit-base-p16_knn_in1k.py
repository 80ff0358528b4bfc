# kNN (k = 20, cosine, temperature 0.07) on frozen CLS features of a SymMIM ViT-B/16,
# ImageNet-1K train as the bank, val as queries:
#   python tools/analysis_tools/knn_eval.py configs/symmim/benchmarks/vit-base-p16_knn_in1k.py \
#       --checkpoint work_dirs/.../epoch_800.pth
# Any MMPretrain classification dataset works: change the dataloaders.
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs64_pil_resize.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch='base',
        img_size=224,
        patch_size=16,
        out_type='cls_token',
        final_norm=True,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=256,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(batch_size=256, dataset=dict(pipeline=test_pipeline))
