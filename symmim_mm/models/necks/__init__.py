from .linear_decoder import SymMIMLinearDecoder

__all__ = ['SymMIMLinearDecoder']
