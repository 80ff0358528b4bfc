"""One SymMIM encoder as the weights of MMPretrain, timm, MMDetection or MMSegmentation.

Converting is selecting an encoder (the online one, or the momentum one with
``teacher=True``), stripping its prefix, dropping what only pretraining uses (the
``mask_token``, and the final norm for the dense-prediction backbones, which read
un-normalised block outputs) and laying the rest out as the target expects.
"""
import math
import os.path as osp
from typing import Callable, Dict, NamedTuple

import torch

from .checkpoint import (ONLINE_PREFIX, TEACHER_PREFIX, encoder_state_dict,
                         load_checkpoint_tensors, save_tensors)
from .timm_keys import mmpretrain_to_timm

StateDict = Dict[str, torch.Tensor]


def vit_to_sam_layout(state: StateDict) -> StateDict:
    """MMPretrain ViT weights in the layout of MMPretrain's ``ViTSAM``: no ``cls_token``,
    and ``pos_embed`` ``(1, 1 + h*w, C)`` as ``(1, h, w, C)`` without the cls position.

    Raises:
        ValueError: ``pos_embed`` is not a square grid (plus the cls position).
    """
    out = {k: v for k, v in state.items() if k != 'cls_token'}
    pos = state.get('pos_embed')
    if pos is not None and pos.dim() == 3:
        grid = pos[:, int('cls_token' in state):]
        side = math.isqrt(grid.shape[1])
        if side * side != grid.shape[1]:
            raise ValueError(f'pos_embed has {grid.shape[1]} patch positions, not a square '
                             'grid.')
        out['pos_embed'] = grid.reshape(1, side, side, grid.shape[-1])
    return out


class Target(NamedTuple):
    """How one library's backbone takes a SymMIM encoder."""
    final_norm: bool  # keep the final norm `ln1`
    layout: Callable[[StateDict], StateDict]  # key names and shapes
    backbone: str  # what the weights load into, strictly


TARGETS = {
    'mmpretrain': Target(True, dict, "MMPretrain's VisionTransformer (final_norm=True)"),
    'timm': Target(True, mmpretrain_to_timm, "timm's VisionTransformer"),
    'mmdet': Target(False, vit_to_sam_layout, 'SymMIMViTDet'),
    'mmseg': Target(False, dict, 'SymMIMViTSeg'),
}


def convert_checkpoint(src: str,
                       dst: str,
                       to: str = 'mmpretrain',
                       teacher: bool = False) -> StateDict:
    """Write one encoder of a SymMIM checkpoint as a tensors-only file for ``to``.

    Args:
        src (str): A SymMIM Runner checkpoint (or a backbone-only weight file, for
            the online encoder), read with ``weights_only=True``.
        dst (str): Output file: ``.safetensors``, or a ``torch.save`` file holding
            the tensors only.
        to (str): ``'mmpretrain'``, ``'timm'``, ``'mmdet'`` or ``'mmseg'``.
            Defaults to ``'mmpretrain'``.
        teacher (bool): Take the momentum (EMA) encoder instead of the online one.
            Defaults to False.

    Returns:
        dict[str, Tensor]: The weights written.

    Raises:
        ValueError: ``to`` is not a target.
        KeyError: ``src`` has no such encoder.
    """
    if to not in TARGETS:
        raise ValueError(f'unknown target {to!r}; choose from {sorted(TARGETS)}.')
    target = TARGETS[to]
    state = load_checkpoint_tensors(src)
    prefix = TEACHER_PREFIX if teacher else ONLINE_PREFIX
    if not teacher and not any(k.startswith(prefix) for k in state) \
            and 'patch_embed.projection.weight' in state:
        prefix = None  # already a backbone-only file
    out = target.layout(encoder_state_dict(state, prefix, final_norm=target.final_norm))
    save_tensors(
        out,
        dst,
        metadata=dict(
            source=osp.basename(src), target=to, encoder='momentum' if teacher else 'online'))
    return out
