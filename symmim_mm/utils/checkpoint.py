"""Reading SymMIM checkpoints safely and taking encoders out of them."""
import os
import tempfile
from collections import OrderedDict
from typing import Dict, Optional

import torch

ONLINE_PREFIX = 'backbone.'
TEACHER_PREFIX = 'momentum_encoder.module.0.'
PRETRAIN_ONLY = ('mask_token', )  # encoder keys that a plain ViT does not have


def load_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """The ``state_dict`` of a checkpoint, read with ``weights_only=True``.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: The file holds pickled objects (it is refused, never run) or
            no tensors.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f'checkpoint not found: {path}')
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # UnpicklingError, or a corrupt file
        raise ValueError(f'{path}: refused to load, it is not a plain tensor checkpoint '
                         f'({type(err).__name__}: {str(err).splitlines()[0]})') from err
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not any(isinstance(v, torch.Tensor)
                                              for v in state.values()):
        raise ValueError(f'{path}: holds no state_dict of tensors')
    return state


FINAL_NORMS = ('ln1.', 'ln2.')  # top-level only; blocks' norms are `layers.i.ln1`


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


def save_tensors(state: Dict[str, torch.Tensor], path: str, **extra) -> None:
    """Write ``{'state_dict': state, **extra}`` atomically (temporary file, then rename).

    ``extra`` values must be plain (str, numbers, lists, dicts): the file stays
    loadable with ``weights_only=True``.
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix='.tmp')
    os.close(fd)
    try:
        torch.save({'state_dict': OrderedDict((k, v.contiguous()) for k, v in state.items()),
                    **extra}, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
