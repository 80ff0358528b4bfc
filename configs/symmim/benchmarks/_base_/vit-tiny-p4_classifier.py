# What the tiny-ViT linear-probe and fine-tuning recipes share: the classifier ViT,
# MMPretrain's runtime, crash-safe checkpoints (the last one kept) and a fixed seed.
_base_ = [
    '../../../_base_/models/vit-tiny-p4_32px.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='SafeCheckpointHook', interval=10, max_keep_ckpts=1))
randomness = dict(seed=0)
