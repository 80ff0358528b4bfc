# kNN (k = 20, cosine, T = 0.07) on frozen CLS features of the tiny ViT on Fashion-MNIST:
# the 50,000 train images are the bank, the test split the queries ('val' to choose settings).
#   python tools/analysis_tools/knn_eval.py \
#       configs/symmim/benchmarks/vit-tiny-p4_knn_fashion-mnist-32px.py \
#       --checkpoint CKPT [--cfg-options test_dataloader.dataset.split=val]
_base_ = [
    '../../_base_/models/vit-tiny-p4_32px.py',
    '../../_base_/datasets/fashion-mnist_32px.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

# The bank uses the test pipeline, in order.
train_dataloader = dict(
    batch_size=512,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline={{_base_.test_pipeline}}))
