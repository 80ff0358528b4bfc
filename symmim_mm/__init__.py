"""symmim_mm: SymMIM (symmetric masking for masked image modeling) for OpenMMLab.

Importing the package registers its modules into MMPretrain's registries
(``custom_imports=dict(imports=['symmim_mm'])`` in a config does it) and applies
:mod:`symmim_mm.compat`.
"""
from . import compat
from .version import __version__

compat.apply()

from . import datasets, models  # noqa: E402,F401  (register modules)
