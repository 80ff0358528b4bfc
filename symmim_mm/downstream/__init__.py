"""What MMDetection and MMSegmentation need to fine-tune SymMIM encoders.

:mod:`.mmdet` registers :class:`SymMIMViTDet` and :class:`ViTDetSimpleFPN` into
MMDetection's ``MODELS``, :mod:`.mmseg` registers :class:`SymMIMViTSeg` into
MMSegmentation's; ``import symmim_mm`` imports each one whose library is installed.
"""
from .strict_pretrained import StrictPretrainedMixin, load_pretrained

__all__ = ['StrictPretrainedMixin', 'load_pretrained']
