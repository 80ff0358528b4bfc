"""Layer-wise learning-rate decay for any model whose backbone has ``get_layer_depth``."""
from typing import Dict, List, Optional, Tuple

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor

# Parameters (besides every 1-D one: norm weights, biases) that get no weight decay.
NO_DECAY_KEYS = ('pos_embed', 'cls_token', 'mask_token')


class LayerDecayOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Layer-wise lr decay (BEiT / MAE / ViTDet fine-tuning) for detectors,
    segmentors and classifiers alike.

    ``model.backbone.get_layer_depth(name, 'backbone.')`` gives each parameter a
    ``(depth, num_depths)`` pair, as MMPretrain's ViTs do: 0 for the patch
    embedding and tokens, ``i + 1`` for block ``i``, ``num_layers + 1`` (the
    last) for everything else, heads and necks included. A parameter at depth
    ``d`` trains with ``lr = base_lr * layer_decay_rate ** (num_depths - 1 - d)``,
    i.e. ``decay ** (num_layers + 1 - d)``: the top of the network keeps the base
    lr, the patch embedding gets the smallest. Unlike MMDetection's and
    MMSegmentation's constructors it does not look at backbone class names.

    1-D parameters (norm weights, biases) and names containing one of
    ``no_decay_keys`` get no weight decay. Frozen parameters are left out.
    Groups are ordered from the top down, so the lr logged for group 0 is the
    base lr.

    Args:
        optim_wrapper_cfg (dict): The optim wrapper config (``optimizer`` inside).
        paramwise_cfg (dict): ``layer_decay_rate`` (float, required) and
            ``no_decay_keys`` (sequence of str, optional). Defaults to
            ``NO_DECAY_KEYS`` = ``('pos_embed', 'cls_token', 'mask_token')``.

    Example:
        >>> optim_wrapper = dict(
        ...     optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.1),
        ...     constructor='LayerDecayOptimWrapperConstructor',
        ...     paramwise_cfg=dict(layer_decay_rate=0.7))
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: Optional[dict] = None) -> None:
        paramwise_cfg = dict(paramwise_cfg or {})
        unknown = set(paramwise_cfg) - {'layer_decay_rate', 'no_decay_keys'}
        if unknown:
            raise ValueError(f'{type(self).__name__}: unknown paramwise_cfg keys '
                             f'{sorted(unknown)}; it takes `layer_decay_rate` and '
                             '`no_decay_keys`.')
        if 'layer_decay_rate' not in paramwise_cfg:
            raise ValueError(f'{type(self).__name__} needs paramwise_cfg.layer_decay_rate.')
        self.layer_decay_rate = float(paramwise_cfg['layer_decay_rate'])
        self.no_decay_keys = tuple(paramwise_cfg.get('no_decay_keys', NO_DECAY_KEYS))
        super().__init__(optim_wrapper_cfg, paramwise_cfg)

    def add_params(self, params: List[dict], module: nn.Module, **kwargs) -> None:
        """Append one param group per (depth, decay / no decay) of ``module``."""
        backbone = getattr(module, 'backbone', None)
        if not callable(getattr(backbone, 'get_layer_depth', None)):
            raise TypeError(f'{type(self).__name__} needs `model.backbone.get_layer_depth`; '
                            f'{type(module).__name__}.backbone is '
                            f'{type(backbone).__name__}.')
        groups: Dict[Tuple[int, bool], dict] = {}
        for name, param in module.named_parameters():
            if not param.requires_grad:
                continue
            depth, num_depths = backbone.get_layer_depth(name, 'backbone.')
            scale = self.layer_decay_rate ** (num_depths - 1 - depth)
            no_decay = param.ndim <= 1 or any(key in name for key in self.no_decay_keys)
            group = groups.get((depth, no_decay))
            if group is None:
                group = groups[depth, no_decay] = dict(
                    params=[], param_names=[], layer_depth=depth, lr_scale=scale,
                    lr=self.base_lr * scale)
                if no_decay:
                    group['weight_decay'] = 0.
                elif self.base_wd is not None:
                    group['weight_decay'] = self.base_wd
            group['params'].append(param)
            group['param_names'].append(name)

        ordered = sorted(groups.values(),
                         key=lambda g: (-g['layer_depth'], g.get('weight_decay', 1.) == 0.))
        params.extend(ordered)
        print_log(f'Layer-wise lr decay {self.layer_decay_rate}: {len(ordered)} param groups, '
                  f'lr scales {ordered[0]["lr_scale"]:.3g} (top) .. '
                  f'{ordered[-1]["lr_scale"]:.3g} (patch embedding).', logger='current')


def register_layer_decay_constructor() -> None:
    """Make the constructor buildable from MMPretrain, MMDetection and MMSegmentation
    configs (``constructor='LayerDecayOptimWrapperConstructor'``)."""
    from mmdet.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMDET
    from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMPRETRAIN
    from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMSEG
    for registry in (MMPRETRAIN, MMDET, MMSEG):
        registry.register_module(module=LayerDecayOptimWrapperConstructor, force=True)
