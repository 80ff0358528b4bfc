"""Convert a SymMIM checkpoint for MMDetection's ``SymMIMViTDet`` backbone.

    python tools/model_converters/symmim_to_mmdet.py SRC DST [--teacher]

DST holds ``{'state_dict': ...}``: the online encoder (``--teacher``: the momentum
encoder) with backbone-relative MMPretrain ViT names, without ``mask_token`` and the
final norm, so that it loads strictly into ``SymMIMViTDet``. Use it with
``model.backbone.init_cfg=dict(type='Pretrained', checkpoint=DST, prefix=None)``; a
SymMIM checkpoint also works as it is, with ``prefix='backbone.'``. SRC is read with
``weights_only=True``; ``--trust-checkpoint SRC`` lets a legacy file that holds pickled
objects load (only that file).
"""
from symmim_mm.downstream import convert_cli

if __name__ == '__main__':
    convert_cli('SymMIMViTDet')
