"""MMEngine's default optimizer constructor with one parameter group per setting."""
from typing import List

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class MergedGroupsOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """:class:`~mmengine.optim.DefaultOptimWrapperConstructor` (same ``paramwise_cfg``,
    same per-parameter lr and weight decay) whose parameter groups are merged: one
    group per distinct setting instead of one per parameter.

    With ``custom_keys`` the default constructor makes a group of every parameter
    (about 170 for a ViT-B); the optimizer then loops over groups in Python and its
    ``foreach`` / ``fused`` kernels see one tensor at a time. Merged, a ViT gets two
    groups (decay, no decay). Parameters that need no gradient (the momentum encoder)
    stay out of the optimizer, as in the default constructor. The update of every
    parameter is the same: AdamW and SGD treat the tensors of a group one by one.
    """

    def add_params(self,
                   params: List[dict],
                   module: nn.Module,
                   prefix: str = '',
                   **kwargs) -> None:
        if prefix:  # the default recursion over children, into the caller's list
            return super().add_params(params, module, prefix, **kwargs)
        groups: List[dict] = []
        super().add_params(groups, module, prefix, **kwargs)
        merged = {}
        for group in groups:
            setting = tuple(sorted((k, v) for k, v in group.items() if k != 'params'))
            merged.setdefault(setting, dict(group, params=[]))['params'] += group['params']
        params.extend(merged.values())
