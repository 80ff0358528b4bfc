# The SimMIM-style ViT at a mask ratio of 75 % of the 8-px blocks instead of 60 % (the
# mask-ratio sweep that SymMIM's one fixed 50 % mask is meant to spare).
_base_ = './simmim_vit-tiny-p4_fashion-mnist-32px.py'

train_dataloader = dict(
    dataset=dict(pipeline=[
        *_base_.augmentation,
        dict(
            type='SimMIMMaskGenerator',
            input_size=32,
            mask_patch_size=8,
            model_patch_size=4,
            mask_ratio=0.75),
        dict(type='PackInputs'),
    ]))
