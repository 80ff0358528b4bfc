from .patch_contrast_head import SymMIMPatchContrastHead

__all__ = ['SymMIMPatchContrastHead']
