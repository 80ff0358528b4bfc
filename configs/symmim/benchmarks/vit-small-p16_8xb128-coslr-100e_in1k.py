# Fine-tune a SymMIM ViT-S/16 (384 wide) on ImageNet-1K; layer decay 0.75 (our choice for
# the 12-layer small model), otherwise as ViT-B.
_base_ = 'vit-base-p16_8xb128-coslr-100e_in1k.py'

model = dict(backbone=dict(arch='deit-small'), head=dict(in_channels=384))
optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.75))
