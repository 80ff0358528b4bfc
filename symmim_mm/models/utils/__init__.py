from .ema import FusedCosineEMA

__all__ = ['FusedCosineEMA']
