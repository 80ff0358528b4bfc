"""Strict loading of a SymMIM encoder into the downstream backbones.

MMEngine's ``PretrainedInit`` loads with ``strict=False`` and only logs what did not
match, so a wrong prefix or a renamed key leaves a backbone silently random. A
differently named initializer cannot replace it: MMEngine applies only
``type='Pretrained'`` after the children's own initialisation, and MMPretrain's ViTs
re-draw ``pos_embed`` for any other type. Strictness therefore lives in the
backbone's ``init_weights`` (:class:`StrictPretrainedMixin`).
"""
from typing import Optional, Sequence

import torch.nn as nn
from mmengine.logging import print_log

from ..utils.checkpoint import ONLINE_PREFIX, encoder_state_dict, load_checkpoint_tensors


def load_pretrained(module: nn.Module,
                    checkpoint: str,
                    prefix: Optional[str] = ONLINE_PREFIX,
                    new_params: Sequence[str] = ()) -> None:
    """Load one encoder of ``checkpoint`` into a downstream ViT, strictly.

    Any key missing or left over raises, except parameters whose name ends with one
    of ``new_params`` (layers with no pretrained counterpart, which keep their
    initialisation). The backbone's load hooks adapt ``pos_embed`` to its grid
    (and layout).

    Args:
        module (nn.Module): A ViT with MMPretrain names (``final_norm`` flag
            optional, False when absent).
        checkpoint (str): Path of a SymMIM (or converted) checkpoint, read with
            ``weights_only=True``.
        prefix (str, optional): Which encoder: ``'backbone.'`` (online),
            ``'momentum_encoder.module.0.'`` (EMA), or ``None`` for a converted
            file. Defaults to ``'backbone.'``.
        new_params (Sequence[str]): Name suffixes allowed to be missing.
            Defaults to ().
    """
    state = encoder_state_dict(
        load_checkpoint_tensors(checkpoint),
        prefix,
        final_norm=getattr(module, 'final_norm', False))
    missing, unexpected = module.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith(tuple(new_params))]
    if missing or unexpected:
        raise RuntimeError(f'{checkpoint} (prefix {prefix!r}) does not match '
                           f'{type(module).__name__}: missing {_some(missing)}, '
                           f'unexpected {_some(unexpected)}.')
    print_log(
        f'Loaded {len(state)} tensors of {type(module).__name__} from {checkpoint} '
        f'(prefix {prefix!r}).',
        logger='current')


def _some(keys: Sequence[str], most: int = 8) -> str:
    return str(list(keys[:most])) + (f' and {len(keys) - most} more' if len(keys) > most else '')


class StrictPretrainedMixin:
    """Makes a backbone load ``init_cfg=dict(type='Pretrained', checkpoint, prefix)``
    through :func:`load_pretrained` (strict), after the random initialisation.

    ``NEW_PARAMS`` lists the name suffixes of parameters that pretrained
    checkpoints do not have.
    """

    NEW_PARAMS: Sequence[str] = ()

    def init_weights(self) -> None:
        """Random init, then the pretrained encoder (strictly) if ``init_cfg`` asks."""
        cfg = self.init_cfg
        if not (isinstance(cfg, dict) and cfg.get('type') == 'Pretrained'):
            super().init_weights()
            return
        if not cfg.get('checkpoint'):
            raise ValueError(f'{type(self).__name__}: init_cfg.checkpoint is empty; pass '
                             '`--cfg-options model.backbone.init_cfg.checkpoint=PATH`.')
        self.init_cfg = None  # random init first: it sets what the checkpoint lacks
        try:
            super().init_weights()
        finally:
            self.init_cfg = cfg
        load_pretrained(self, cfg['checkpoint'], cfg.get('prefix'), self.NEW_PARAMS)
