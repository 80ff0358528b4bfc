from .data_preprocessor import SymMIMDataPreprocessor, collate_masks
from .ema import FusedCosineEMA

__all__ = ['FusedCosineEMA', 'SymMIMDataPreprocessor', 'collate_masks']
