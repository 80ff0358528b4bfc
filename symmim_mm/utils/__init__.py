from .checkpoint import (ONLINE_PREFIX, TEACHER_PREFIX, encoder_state_dict, load_state_dict,
                         save_tensors)
from .dist import setup_cpu_distributed
from .timm_keys import mmpretrain_to_timm

__all__ = ['ONLINE_PREFIX', 'TEACHER_PREFIX', 'encoder_state_dict', 'load_state_dict',
           'mmpretrain_to_timm', 'save_tensors', 'setup_cpu_distributed']
