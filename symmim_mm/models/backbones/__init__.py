from .raw_pixels import RawPixels
from .symmim_vit import SymMIMViT

__all__ = ['RawPixels', 'SymMIMViT']
