"""Reading and writing checkpoints safely, and taking encoders out of them.

Reading: every checkpoint is read with ``torch.load(weights_only=True)`` (tensors and
plain containers only: a file cannot run code). :func:`install`, applied on
``import symmim_mm``, makes MMEngine's local-file loader, which serves ``Runner``
resume, ``load_from`` and ``init_cfg=dict(type='Pretrained')``, read the same way and
name the file it refuses. A legacy file that holds pickled objects loads only once
:func:`trust_checkpoint` has named it (the ``--trust-checkpoint PATH`` flag of the
tools): that file alone, never by default, by environment or for every file.

Writing: :func:`save_atomic` writes a temporary file next to the target and renames it
over the target, so a crash never leaves a half-written checkpoint. :func:`install`
sends the ``Runner``'s own checkpoints (written by ``CheckpointHook``) through it.
"""
import argparse
import contextlib
import glob
import logging
import os
import os.path as osp
import pickle
import tempfile
from collections import OrderedDict
from typing import Any, Dict, Optional, Set

import mmengine.runner.runner as mme_runner
import torch
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

ONLINE_PREFIX = 'backbone.'
TEACHER_PREFIX = 'momentum_encoder.module.0.'
PRETRAIN_ONLY = ('mask_token', )  # encoder keys that a plain ViT does not have
TRUST_FLAG = '--trust-checkpoint'
_trusted: Set[str] = set()  # real paths named by trust_checkpoint()


class CheckpointLoadError(ValueError):
    """A checkpoint file that cannot be read (truncated, corrupt, not a checkpoint)."""


class UnsafeCheckpointError(CheckpointLoadError, pickle.UnpicklingError):
    """A checkpoint holding pickled Python objects, refused by the safe loader."""


def trust_checkpoint(path: str) -> None:
    """Let this one file be unpickled (``weights_only=False``).

    Only for a legacy checkpoint from a source you trust: unpickling can run code.
    """
    _trusted.add(osp.realpath(osp.expanduser(path)))


class TrustCheckpointAction(argparse.Action):
    """``--trust-checkpoint PATH``: calls :func:`trust_checkpoint` when parsed."""

    def __call__(self, parser, namespace, value, option_string=None) -> None:
        trust_checkpoint(value)
        getattr(namespace, self.dest).append(value)


def add_trust_argument(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable ``--trust-checkpoint PATH`` option to a tool's parser."""
    parser.add_argument(
        TRUST_FLAG, metavar='PATH', action=TrustCheckpointAction, default=[],
        help='load this file although it holds pickled Python objects (unsafe: only for '
        'a legacy checkpoint from a source you trust); repeat for several files')


def load_checkpoint_file(path: str, map_location: Any = 'cpu') -> Any:
    """``torch.load(path)`` with ``weights_only=True``, unless
    :func:`trust_checkpoint` named ``path``.

    Args:
        path (str): A local file.
        map_location (Any): As in ``torch.load``. Defaults to ``'cpu'``.

    Raises:
        FileNotFoundError: ``path`` is not a file.
        UnsafeCheckpointError: The file holds pickled objects and is not trusted.
        CheckpointLoadError: The file is truncated, corrupt or not a checkpoint.
    """
    path = osp.expanduser(os.fspath(path))
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint not found: {path}')
    if osp.realpath(path) in _trusted:
        print_log(f'{path}: loading with weights_only=False ({TRUST_FLAG}).',
                  logger='current', level=logging.WARNING)
        return torch.load(path, map_location=map_location, weights_only=False)
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if 'Weights only load failed' not in str(err):
            raise _unreadable(path, err) from None
        detail = next((line.strip() for line in str(err).splitlines()
                       if 'WeightsUnpickler error' in line), '').split(' was not ')[0]
        raise UnsafeCheckpointError(
            f'{path}: refused to load: it holds pickled Python objects, which could run '
            f'code, and checkpoints are read with weights_only=True ({detail}). If you '
            f'trust this file, pass `{TRUST_FLAG} {path}` to the tool (train.py, test.py, '
            'the model converters, knn_eval.py), or convert it once into a tensors-only '
            'file.') from None
    except (EOFError, KeyError) as err:
        raise _unreadable(path, err) from None
    except RuntimeError as err:
        if 'PytorchStreamReader' not in str(err):
            raise
        raise _unreadable(path, err) from None


def _unreadable(path: str, err: Exception) -> CheckpointLoadError:
    first = (str(err).splitlines() or [''])[0].split('. ')[0][:160]
    return CheckpointLoadError(f'{path}: refused to load: not a readable checkpoint, the '
                               f'file is truncated or corrupt ({type(err).__name__}: {first})')


def load_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """The ``state_dict`` of a checkpoint, read by :func:`load_checkpoint_file`.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        CheckpointLoadError: The file is refused (pickled objects), unreadable, or
            holds no tensors.
    """
    ckpt = load_checkpoint_file(path)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not any(isinstance(v, torch.Tensor)
                                              for v in state.values()):
        raise CheckpointLoadError(f'{path}: holds no state_dict of tensors')
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


def save_atomic(obj: Any, path: str) -> None:
    """``torch.save(obj, path)`` through a temporary file in the same folder
    (``.<name>.<random>.tmp``), flushed to disk, then renamed over ``path``: readers
    see the old file or the new one, never part of one. Temporary files of ``path``
    left by a killed writer are removed first."""
    directory, name = osp.split(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    for stale in glob.glob(osp.join(directory, f'.{glob.escape(name)}.*.tmp')):
        with contextlib.suppress(FileNotFoundError):
            os.remove(stale)  # left by a writer of this file that was killed
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f'.{name}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def save_tensors(state: Dict[str, torch.Tensor], path: str, **extra) -> None:
    """Write ``{'state_dict': state, **extra}`` with :func:`save_atomic`.

    ``extra`` values must be plain (str, numbers, lists, dicts): the file stays
    loadable with ``weights_only=True``.
    """
    save_atomic({'state_dict': OrderedDict((k, v.contiguous()) for k, v in state.items()),
                 **extra}, path)


def find_resumable_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint to resume from: the one ``last_checkpoint`` names if it exists,
    else the newest ``epoch_*.pth`` / ``iter_*.pth`` in ``work_dir`` (None if none)."""
    record = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(record):
        with open(record) as f:
            named = f.read().strip()
        if named and osp.isfile(named):
            return named
    found = glob.glob(osp.join(work_dir, 'epoch_*.pth')) + glob.glob(
        osp.join(work_dir, 'iter_*.pth'))
    return max(found, key=osp.getmtime) if found else None


_mmengine_save_checkpoint = mme_runner.save_checkpoint


def save_runner_checkpoint(checkpoint: dict, filename: str, file_client_args=None,
                           backend_args=None) -> None:
    """``Runner.save_checkpoint``'s writer: :func:`save_atomic` for local files,
    MMEngine's own ``save_checkpoint`` for other storage backends."""
    if file_client_args is None and backend_args is None and '://' not in filename:
        save_atomic(checkpoint, filename)
    else:
        _mmengine_save_checkpoint(checkpoint, filename, file_client_args=file_client_args,
                                  backend_args=backend_args)


def load_from_local_safe(filename: str, map_location: Any = None) -> Any:
    """MMEngine's local-file checkpoint scheme, read by :func:`load_checkpoint_file`."""
    return load_checkpoint_file(filename, map_location)


def install() -> None:
    """Make MMEngine read local checkpoints with :func:`load_checkpoint_file` and the
    ``Runner`` write its checkpoints with :func:`save_atomic` (idempotent)."""
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local_safe, force=True)
    mme_runner.save_checkpoint = save_runner_checkpoint
