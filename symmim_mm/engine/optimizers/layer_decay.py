"""MMPretrain's layer-wise lr decay, for detectors and segmentors as well as classifiers."""
from typing import Callable, List, Optional

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS
from mmpretrain.engine.optimizers import LearningRateDecayOptimWrapperConstructor

PARAMWISE_KEYS = ('layer_decay_rate', 'bias_decay_mult', 'norm_decay_mult', 'flat_decay_mult',
                  'custom_keys')


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class LayerDecayOptimWrapperConstructor(LearningRateDecayOptimWrapperConstructor):
    """MMPretrain's ``LearningRateDecayOptimWrapperConstructor`` (BEiT / MAE / ViTDet
    fine-tuning), with the same ``paramwise_cfg``, made usable by any model whose
    backbone has ``get_layer_depth``.

    A parameter at depth ``d`` of ``num_depths`` trains with
    ``lr = base_lr * layer_decay_rate ** (num_depths - 1 - d)``: MMPretrain's ViTs
    give 0 to the patch embedding and tokens, ``i + 1`` to block ``i`` and
    ``num_layers + 1`` to everything else, heads and necks included. On top of
    MMPretrain's constructor:

    - the depth comes from ``model.get_layer_depth(name)`` when the model has it
      (MMPretrain's classifiers and self-supervisors) and otherwise from
      ``model.backbone.get_layer_depth(name, 'backbone.')`` (MMDetection's
      detectors, MMSegmentation's segmentors, which MMPretrain's rejects);
    - an unknown ``paramwise_cfg`` key (e.g. ViTDet's ``decay_rate``) is an error
      rather than silently ignored;
    - parameter groups are ordered from the top down, so that the lr the logger
      shows (group 0's) is the base lr, and one line summarises the decay.

    Registered in MMEngine's ``OPTIM_WRAPPER_CONSTRUCTORS``: MMPretrain,
    MMDetection and MMSegmentation configs all find it.

    Args:
        optim_wrapper_cfg (dict): The optim wrapper config (``optimizer`` inside).
        paramwise_cfg (dict, optional): ``layer_decay_rate`` (defaults to 1),
            ``bias_decay_mult``, ``norm_decay_mult``, ``flat_decay_mult`` and
            ``custom_keys`` (``{substring: dict(decay_mult=...)}``), as in
            MMPretrain's constructor. Defaults to None.

    Example:
        >>> optim_wrapper = dict(
        ...     optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.1),
        ...     constructor='LayerDecayOptimWrapperConstructor',
        ...     paramwise_cfg=dict(layer_decay_rate=0.7, flat_decay_mult=0.,
        ...                        custom_keys={'pos_embed': dict(decay_mult=0.)}))
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: Optional[dict] = None) -> None:
        unknown = sorted(set(paramwise_cfg or {}) - set(PARAMWISE_KEYS))
        if unknown:
            raise ValueError(f'{type(self).__name__}: unknown paramwise_cfg keys {unknown}; '
                             f'it takes {", ".join(PARAMWISE_KEYS)}.')
        super().__init__(optim_wrapper_cfg, paramwise_cfg)

    def add_params(self,
                   params: List[dict],
                   module: nn.Module,
                   prefix: str = '',
                   get_layer_depth: Optional[Callable] = None,
                   **kwargs) -> None:
        """Add one param group per trainable parameter of ``module`` (see the class)."""
        if prefix or get_layer_depth is not None:  # MMPretrain's recursion into children
            super().add_params(params, module, prefix, get_layer_depth, **kwargs)
            return
        super().add_params(params, module, get_layer_depth=self._layer_depth_of(module))
        params.sort(key=lambda group: -group['layer_id'])  # stable: same-depth order kept
        if params:
            print_log(
                f'Layer-wise lr decay {self.paramwise_cfg.get("layer_decay_rate", 1.)}: '
                f'{len(params)} param groups, lr scales {params[0]["lr_scale"]:.3g} '
                f'(top) .. {params[-1]["lr_scale"]:.3g} (patch embedding).',
                logger='current')

    @staticmethod
    def _layer_depth_of(model: nn.Module) -> Callable:
        if callable(getattr(model, 'get_layer_depth', None)):
            return model.get_layer_depth
        backbone = getattr(model, 'backbone', None)
        if callable(getattr(backbone, 'get_layer_depth', None)):
            return lambda name: backbone.get_layer_depth(name, 'backbone.')
        raise TypeError(f'LayerDecayOptimWrapperConstructor needs `get_layer_depth` on the '
                        f'model or its backbone; {type(model).__name__}.backbone is '
                        f'{type(backbone).__name__}.')
