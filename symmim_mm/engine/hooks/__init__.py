"""Hooks that keep long runs trustworthy: exact resume, a stop on diverged losses,
and a count of the bad image files skipped."""
from .non_finite_loss_hook import StopOnNonFiniteLossHook
from .random_state_hook import RandomStateHook
from .random_states import EpochSeededFetch, capture_random_state, restore_random_state
from .skipped_images_hook import SkippedImagesHook, iter_transforms

__all__ = ['EpochSeededFetch', 'RandomStateHook', 'SkippedImagesHook',
           'StopOnNonFiniteLossHook', 'capture_random_state', 'iter_transforms',
           'restore_random_state']
