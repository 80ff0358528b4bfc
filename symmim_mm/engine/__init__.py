"""Training-time pieces shared by pretraining and the downstream tasks."""
from .optimizers import *  # noqa: F401,F403
