"""symmim_mm: SymMIM (symmetric masking for masked image modeling) for OpenMMLab.

Importing the package registers its modules into the registries of MMPretrain
(pretraining, classification), MMDetection and MMSegmentation (downstream
backbones, necks, the layer-decay constructor) and applies :mod:`symmim_mm.compat`.
``custom_imports=dict(imports=['symmim_mm'])`` in a config does it.
"""
from . import compat
from .version import __version__

compat.apply()

from . import datasets, models  # noqa: E402,F401  (register modules)

from importlib.util import find_spec  # noqa: E402

if find_spec('mmdet') and find_spec('mmseg'):  # both are in our stack
    from . import downstream, engine  # noqa: E402,F401  (register modules)
    from .engine import hooks  # noqa: E402,F401  (register hooks)

__all__ = ['__version__']
