# scikit-learn's handwritten digits at 32 px (no download): 1,438 train / 359 test.
dataset_type = 'Digits'
data_preprocessor = dict(
    type='ClsDataPreprocessor', num_classes=10, mean=[78.0] * 3, std=[96.0] * 3, to_rgb=False)
train_pipeline = [
    dict(
        type='RandomResizedCrop', scale=32, crop_ratio_range=(0.67, 1.0), interpolation='bicubic'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]
train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=256,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, split='test', pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
