from .atomic_io import AtomicLocalBackend, atomic_write, save_atomic
from .checkpoint import (ONLINE_PREFIX, TEACHER_PREFIX, encoder_state_dict,
                         find_resumable_checkpoint, load_checkpoint_tensors, save_tensors)
from .convert import TARGETS, convert_checkpoint, vit_to_sam_layout
from .dist import setup_cpu_distributed
from .safe_loading import (CheckpointLoadError, UnsafeCheckpointError, add_trust_argument,
                           check_checkpoint, checked_checkpoints, load_checkpoint_file,
                           trust_checkpoint, trusted_globals)
from .timm_keys import mmpretrain_to_timm

__all__ = [
    'AtomicLocalBackend', 'CheckpointLoadError', 'ONLINE_PREFIX', 'TARGETS', 'TEACHER_PREFIX',
    'UnsafeCheckpointError', 'add_trust_argument', 'atomic_write', 'check_checkpoint',
    'checked_checkpoints', 'convert_checkpoint', 'encoder_state_dict', 'find_resumable_checkpoint',
    'load_checkpoint_file', 'load_checkpoint_tensors', 'mmpretrain_to_timm', 'save_atomic',
    'save_tensors', 'setup_cpu_distributed', 'trust_checkpoint', 'trusted_globals',
    'vit_to_sam_layout'
]
