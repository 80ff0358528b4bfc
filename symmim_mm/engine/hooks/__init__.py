"""Hooks that keep long runs trustworthy: safe checkpoints, exact resume, a stop on
diverged losses, and a count of the bad image files skipped. They are registered in
MMEngine's ``HOOKS``, so MMPretrain, MMDetection and MMSegmentation configs all find
them."""
from .non_finite_loss_hook import StopOnNonFiniteLossHook
from .random_state_hook import RandomStateHook
from .random_states import EpochSeededFetch, capture_random_state, restore_random_state
from .safe_checkpoint_hook import SafeCheckpointHook
from .skipped_images_hook import SkippedImagesHook, iter_transforms

__all__ = [
    'EpochSeededFetch', 'RandomStateHook', 'SafeCheckpointHook', 'SkippedImagesHook',
    'StopOnNonFiniteLossHook', 'capture_random_state', 'iter_transforms', 'restore_random_state'
]
