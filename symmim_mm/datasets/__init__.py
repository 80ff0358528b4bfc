from .config_check import ConfigError, check_train_config
from .digits import Digits
from .fashion_mnist import FashionMNISTSplit
from .transforms import (ImageLoadError, RobustLoadImageFromFile, SymmetricMaskGenerator,
                         checkerboard, decode_image)

__all__ = [
    'ConfigError', 'Digits', 'FashionMNISTSplit', 'ImageLoadError', 'RobustLoadImageFromFile',
    'SymmetricMaskGenerator', 'check_train_config', 'checkerboard', 'decode_image'
]
