from .patch_contrast_head import SymMIMPatchContrastHead
from .pixel_head import SymMIMPixelHead

__all__ = ['SymMIMPatchContrastHead', 'SymMIMPixelHead']
