"""Training-time pieces shared by pretraining and the downstream tasks: hooks and the
layer-decay optimizer constructor (registered in MMEngine's registries)."""
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
