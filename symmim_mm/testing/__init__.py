"""Helpers for tests and examples: tiny data sets in real formats."""
from .tiny_data import SHAPES, make_tiny_ade20k, make_tiny_coco

__all__ = ['SHAPES', 'make_tiny_ade20k', 'make_tiny_coco']
