# kNN (k = 20, cosine, T = 0.07) on frozen CLS features, digits train split as the bank:
#   python tools/analysis_tools/knn_eval.py \
#       configs/symmim/benchmarks/vit-tiny-p4_knn_digits-32px.py \
#       --checkpoint work_dirs/symmim_vit-tiny-p4_digits-32px/epoch_30.pth
_base_ = [
    '../../_base_/models/vit-tiny-p4_32px.py',
    '../../_base_/datasets/digits_32px.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

# The bank uses the test pipeline, in order.
train_dataloader = dict(
    batch_size=256,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline={{_base_.test_pipeline}}))
