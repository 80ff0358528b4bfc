"""Helpers for tests, smoke tests and benchmarks: data sets in real formats."""
from .fake_data import make_fake_ade20k, make_fake_coco, make_fake_imagenet
from .images import SHAPES
from .tiny_data import make_tiny_ade20k, make_tiny_coco

__all__ = [
    'SHAPES', 'make_fake_ade20k', 'make_fake_coco', 'make_fake_imagenet', 'make_tiny_ade20k',
    'make_tiny_coco'
]
