"""Taking encoders out of SymMIM checkpoints, and writing tensors-only weight files.

A SymMIM Runner checkpoint holds the online encoder under ``backbone.`` and its EMA
copy (the momentum encoder) under ``momentum_encoder.module.0.``, both with MMPretrain
``VisionTransformer`` names. Files are read by
:func:`symmim_mm.utils.safe_loading.load_checkpoint_file` (``weights_only=True``).
"""
import glob
import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional

import torch
from mmengine.runner.checkpoint import find_latest_checkpoint

from .atomic_io import atomic_write, save_atomic
from .safe_loading import CheckpointLoadError, load_checkpoint_file

ONLINE_PREFIX = 'backbone.'
TEACHER_PREFIX = 'momentum_encoder.module.0.'
PRETRAIN_ONLY = ('mask_token', )  # encoder keys that a plain ViT does not have
FINAL_NORMS = ('ln1.', 'ln2.')  # top-level only; blocks' norms are `layers.i.ln1`


def load_checkpoint_tensors(path: str) -> Dict[str, torch.Tensor]:
    """The tensors of a checkpoint (its ``state_dict``, or the file itself when it is
    a flat dict of tensors, as ``.safetensors`` files are).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        CheckpointLoadError: The file is refused (pickled objects), unreadable, or
            holds no tensors.
    """
    ckpt = load_checkpoint_file(path)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not any(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointLoadError(f'{path}: holds no state_dict of tensors')
    return state


def encoder_state_dict(state_dict: Dict[str, torch.Tensor],
                       prefix: Optional[str] = ONLINE_PREFIX,
                       final_norm: bool = False,
                       keep_mask_token: bool = False) -> Dict[str, torch.Tensor]:
    """Backbone-relative weights of one encoder of a checkpoint.

    Args:
        state_dict (dict): A model state dict (e.g. a SymMIM checkpoint's).
        prefix (str, optional): Keep only keys under this prefix and strip it:
            ``'backbone.'`` is the online encoder, ``'momentum_encoder.module.0.'``
            the momentum (EMA) one; ``None`` or ``''`` keeps every key (a file that
            is already backbone-relative). Defaults to ``'backbone.'``.
        final_norm (bool): Keep the final norm ``ln1`` (a plain classification
            ViT has it; ViTDet / UperNet backbones do not). Defaults to False.
        keep_mask_token (bool): Keep ``mask_token`` (only ``SymMIMViT`` has it).
            Defaults to False.

    Raises:
        KeyError: No key starts with ``prefix``.
    """
    if prefix:
        prefix = prefix if prefix.endswith('.') else prefix + '.'
        selected = {k[len(prefix):]: v for k, v in state_dict.items() if k.startswith(prefix)}
        if not selected:
            found = sorted({k.split('.')[0] + '.' for k in state_dict})
            raise KeyError(f'No weights under {prefix!r} in the checkpoint; its top-level '
                           f'prefixes are {found}.')
    else:
        selected = dict(state_dict)
    drop = (() if keep_mask_token else PRETRAIN_ONLY) + (() if final_norm else FINAL_NORMS)
    return {k: v for k, v in selected.items() if not (drop and k.startswith(drop))}


def save_tensors(state: Dict[str, torch.Tensor],
                 path: str,
                 metadata: Optional[Dict[str, str]] = None) -> None:
    """Write a flat dict of tensors, atomically: ``.safetensors`` (the format of timm and
    the Hugging Face hub, with ``metadata``) or a ``torch.save`` file holding the tensors
    only (no ``metadata``).

    Args:
        state (dict[str, Tensor]): The weights.
        path (str): Output file; ``.safetensors`` selects that format.
        metadata (dict[str, str], optional): Written into a ``.safetensors`` header.
            Defaults to None.
    """
    state = OrderedDict((k, v.detach().cpu().contiguous()) for k, v in state.items())
    if str(path).endswith('.safetensors'):
        from safetensors.torch import save
        data = save(state, metadata=dict(metadata or {}, format='pt'))
        atomic_write(path, lambda f: f.write(data))
    else:
        save_atomic(state, path)


def find_resumable_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint to resume from: MMEngine's ``find_latest_checkpoint`` (the file
    ``last_checkpoint`` names, what ``resume=True`` reads) if that file exists, else the
    newest ``epoch_*.pth`` / ``iter_*.pth`` in ``work_dir`` (a run killed after a
    checkpoint was removed, or before ``last_checkpoint`` was written); None if none."""
    named = find_latest_checkpoint(work_dir) if osp.isdir(work_dir) else None
    if named and osp.isfile(named):
        return named
    found = glob.glob(osp.join(work_dir, 'epoch_*.pth')) + glob.glob(
        osp.join(work_dir, 'iter_*.pth'))
    return max(found, key=osp.getmtime) if found else None
