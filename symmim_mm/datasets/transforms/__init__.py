from .symmetric_mask import SymmetricMaskGenerator, checkerboard

__all__ = ['SymmetricMaskGenerator', 'checkerboard']
