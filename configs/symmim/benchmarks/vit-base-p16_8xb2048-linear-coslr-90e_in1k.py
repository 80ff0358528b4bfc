# Linear probe of a SymMIM ViT-B/16 on ImageNet-1K (MoCo v3 / MAE protocol): frozen
# encoder, BatchNorm + linear head on the CLS token, LARS, 90 epochs.
_base_ = 'mmpretrain::mae/benchmarks/vit-base-p16_8xb2048-linear-coslr-90e_in1k.py'
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

default_hooks = dict(checkpoint=dict(type='SafeCheckpointHook'))
