from .symmim_vit import SymMIMViT

__all__ = ['SymMIMViT']
