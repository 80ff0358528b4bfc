# Linear probe of a SymMIM ViT-L/16 on ImageNet-1K.
_base_ = 'mmpretrain::mae/benchmarks/vit-large-p16_8xb2048-linear-coslr-90e_in1k.py'
custom_imports = dict(imports=['symmim_mm'], allow_failed_imports=False)

default_hooks = dict(checkpoint=dict(type='SafeCheckpointHook'))
