"""What MMDetection and MMSegmentation need to fine-tune SymMIM encoders.

Importing it registers :class:`SymMIMViTDet`, :class:`ViTDetSimpleFPN` and
:class:`ViTDetLN2d` into MMDetection's ``MODELS`` and :class:`SymMIMViTSeg` into
MMSegmentation's.
"""
from . import mmdet, mmseg  # noqa: F401  (register modules)
from .convert import (ONLINE_PREFIX, TEACHER_PREFIX, convert_checkpoint, convert_cli,
                      encoder_state_dict, load_pretrained)

__all__ = ['ONLINE_PREFIX', 'TEACHER_PREFIX', 'convert_checkpoint', 'convert_cli',
           'encoder_state_dict', 'load_pretrained']
