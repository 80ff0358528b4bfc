from .symmim import SymMIM

__all__ = ['SymMIM']
