# Fashion-MNIST (70,000 real 28 x 28 photos of clothing, 10 classes) at 32 px, for
# classification: 50,000 train / 10,000 val images carved from the training set, and the
# 10,000 test images. The four IDX files (plain or .gz) go in data/fashion_mnist/.
dataset_type = 'FashionMNISTSplit'
data_root = 'data/fashion_mnist'
data_preprocessor = dict(
    type='ClsDataPreprocessor', num_classes=10, mean=[72.9] * 3, std=[90.0] * 3, to_rgb=False)
train_pipeline = [
    dict(
        type='RandomResizedCrop', scale=32, crop_ratio_range=(0.67, 1.0), interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='Resize', scale=32, interpolation='bicubic'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=256,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=512,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='val', pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = dict(
    batch_size=512,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='test', pipeline=test_pipeline))
test_evaluator = val_evaluator
