from .loading import ImageLoadError, RobustLoadImageFromFile, decode_image
from .resized_crop import FastRandomResizedCrop, antialiased_resize
from .symmetric_mask import SymmetricMaskGenerator, checkerboard

__all__ = [
    'FastRandomResizedCrop', 'ImageLoadError', 'RobustLoadImageFromFile', 'SymmetricMaskGenerator',
    'antialiased_resize', 'checkerboard', 'decode_image'
]
