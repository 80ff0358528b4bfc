"""symmim_mm: SymMIM (symmetric masking for masked image modeling) for OpenMMLab.

Importing the package registers modules and changes nothing else:
``custom_imports=dict(imports=['symmim_mm'])`` in a config does it. MMPretrain gets
the SymMIM model, its mask transform and the digits data set; MMEngine's registries
(seen from every scope) get the hooks, the safe checkpoint hook and the layer-decay
optimizer constructor; MMDetection and MMSegmentation, when installed, get the
downstream backbones and neck.
"""
from importlib.util import find_spec

from . import datasets, engine, models  # noqa: F401  (register modules)
from .version import __version__

if find_spec('mmdet') is not None:
    from .downstream import mmdet  # noqa: F401  (register modules)
if find_spec('mmseg') is not None:
    from .downstream import mmseg  # noqa: F401  (register modules)

__all__ = ['__version__']
