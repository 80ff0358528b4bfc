from .digits import Digits
from .transforms import SymmetricMaskGenerator, checkerboard

__all__ = ['Digits', 'SymmetricMaskGenerator', 'checkerboard']
