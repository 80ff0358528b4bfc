from .loading import ImageLoadError, RobustLoadImageFromFile, decode_image
from .symmetric_mask import SymmetricMaskGenerator, checkerboard

__all__ = ['ImageLoadError', 'RobustLoadImageFromFile', 'SymmetricMaskGenerator',
           'checkerboard', 'decode_image']
