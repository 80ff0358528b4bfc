"""MMSegmentation modules (registered in ``mmseg.registry.MODELS``)."""
from .symmim_vit_seg import SymMIMViTSeg

__all__ = ['SymMIMViTSeg']
