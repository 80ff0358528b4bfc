"""Reading checkpoints safely, naming the file that is refused, and trusting one file.

torch >= 2.6 reads checkpoints with ``weights_only=True``: tensors and plain Python
containers only, so a file cannot run code. MMEngine's loaders (``--resume``,
``load_from``, ``init_cfg=dict(type='Pretrained')``) rely on that default and are
left as they are. This module adds, with torch's own tools:

- :func:`check_checkpoint`: before a file is read, the Python objects its pickle
  names beyond torch's allowlist (``torch.serialization.get_unsafe_globals_in_checkpoint``)
  give a refusal that names the file, the objects and the way out; a truncated or
  corrupt file is named too.
- :func:`trust_checkpoint` (the ``--trust-checkpoint PATH`` flag of the tools) and
  :func:`trusted_globals`: the objects of that one named file are allowed while a
  tool runs (``torch.serialization.safe_globals``); never by default, by environment
  or for every file.
- :func:`checked_checkpoints`: both, for every checkpoint a config names, around
  the Runner call of a tool.
"""
import argparse
import contextlib
import logging
import os
import os.path as osp
import pickle
import pkgutil
from typing import Any, Iterable, Iterator, List, Set

import torch
from mmengine.logging import print_log
from mmengine.runner.checkpoint import find_latest_checkpoint

TRUST_FLAG = '--trust-checkpoint'
_trusted: Set[str] = set()  # real paths named by trust_checkpoint()


class CheckpointLoadError(ValueError):
    """A checkpoint file that cannot be read (truncated, corrupt, not a checkpoint)."""


class UnsafeCheckpointError(CheckpointLoadError, pickle.UnpicklingError):
    """A checkpoint holding pickled Python objects, refused by the safe loader."""


def trust_checkpoint(path: str) -> None:
    """Let this one file be unpickled with the Python objects it names.

    Only for a legacy checkpoint from a source you trust: unpickling can run code.
    """
    _trusted.add(_real(path))


def is_trusted(path: str) -> bool:
    """Whether :func:`trust_checkpoint` named ``path``."""
    return _real(path) in _trusted


class TrustCheckpointAction(argparse.Action):
    """``--trust-checkpoint PATH``: calls :func:`trust_checkpoint` when parsed."""

    def __call__(self, parser, namespace, value, option_string=None) -> None:
        trust_checkpoint(value)
        getattr(namespace, self.dest).append(value)


def add_trust_argument(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable ``--trust-checkpoint PATH`` option to a tool's parser."""
    parser.add_argument(
        TRUST_FLAG,
        metavar='PATH',
        action=TrustCheckpointAction,
        default=[],
        help='load this file although it holds pickled Python objects (unsafe: only for '
        'a legacy checkpoint from a source you trust); repeat for several files')


def unsafe_globals(path: str) -> List[str]:
    """The Python objects (``module.name``) that the pickle of the checkpoint ``path``
    names and that torch's ``weights_only`` loader does not allow (none for a
    ``.safetensors`` file).

    Raises:
        FileNotFoundError: ``path`` is not a file.
        CheckpointLoadError: The file is truncated, corrupt or not a ``torch.save``
            checkpoint.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint not found: {path}')
    if str(path).endswith('.safetensors'):
        return []  # tensors and a JSON header: nothing is unpickled
    try:
        return sorted(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    except ValueError:  # not a zip archive of torch.save
        raise CheckpointLoadError(
            f'{path}: refused to load: not a torch.save checkpoint (or one written by '
            'torch < 1.6 in the legacy format; load and save it again with a current '
            'torch if it comes from a source you trust)') from None
    except RuntimeError as err:  # the zip archive is cut short or damaged
        raise unreadable(path, err) from None


def check_checkpoint(path: str) -> List[str]:
    """Refuse ``path`` unless it loads with ``weights_only=True`` or is trusted.

    Returns:
        list[str]: The objects that only the trust of ``path`` lets load (empty for
        a safe file).

    Raises:
        FileNotFoundError: ``path`` is not a file.
        UnsafeCheckpointError: The file holds pickled objects and is not trusted.
        CheckpointLoadError: The file is truncated, corrupt or not a checkpoint.
    """
    names = unsafe_globals(path)
    if names and not is_trusted(path):
        raise UnsafeCheckpointError(
            f'{path}: refused to load: it holds pickled Python objects, which could run '
            f'code, and checkpoints are read with weights_only=True (it names '
            f'{", ".join(names)}). If you trust this file, pass `{TRUST_FLAG} {path}` to '
            'the tool (train.py, test.py, symmim_convert.py, knn_eval.py, the '
            'visualisers), or convert it once into a tensors-only file.')
    return names


@contextlib.contextmanager
def trusted_globals(paths: Iterable[str]) -> Iterator[None]:
    """While inside, torch's ``weights_only`` loader also accepts the objects named by
    those ``paths`` that :func:`trust_checkpoint` trusts (``torch.serialization.safe_globals``).

    Args:
        paths (Iterable[str]): Checkpoint files; untrusted ones add nothing.
    """
    allowed = []
    for path in paths:
        if not is_trusted(path):
            continue
        names = unsafe_globals(path)
        if names:
            print_log(
                f'{path}: trusted ({TRUST_FLAG}): unpickling {", ".join(names)}.',
                logger='current',
                level=logging.WARNING)
        allowed += [(_import(name), name) for name in names]
    with torch.serialization.safe_globals(allowed):
        yield


def load_checkpoint_file(path: str, map_location: Any = 'cpu') -> Any:
    """``torch.load(path, weights_only=True)`` after :func:`check_checkpoint`; a
    ``.safetensors`` file is read with ``safetensors``.

    Args:
        path (str): A local file.
        map_location (Any): As in ``torch.load``. Defaults to ``'cpu'``.

    Raises:
        FileNotFoundError: ``path`` is not a file.
        UnsafeCheckpointError: The file holds pickled objects and is not trusted.
        CheckpointLoadError: The file is truncated, corrupt or not a checkpoint.
    """
    path = osp.expanduser(os.fspath(path))
    if path.endswith('.safetensors'):
        return _load_safetensors(path)
    check_checkpoint(path)
    with trusted_globals([path]):
        try:
            return torch.load(path, map_location=map_location, weights_only=True)
        except (RuntimeError, EOFError) as err:
            raise unreadable(path, err) from None


def _load_safetensors(path: str) -> dict:
    from safetensors import SafetensorError
    from safetensors.torch import load_file
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint not found: {path}')
    try:
        return load_file(path)
    except SafetensorError as err:
        raise unreadable(path, err) from None


def checkpoints_in_config(cfg) -> List[str]:
    """The local checkpoint files a config makes the Runner read: ``load_from`` (or,
    with ``resume=True`` and no ``load_from``, the latest in ``work_dir``) and every
    ``dict(type='Pretrained', checkpoint=...)`` inside ``model``."""
    paths = [cfg.get('load_from')]
    if cfg.get('resume') is True and not cfg.get('load_from') and cfg.get('work_dir'):
        paths.append(find_latest_checkpoint(cfg.work_dir))
    stack = [cfg.get('model')]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get('type') == 'Pretrained':
                paths.append(node.get('checkpoint'))
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return [p for p in paths if isinstance(p, str) and p and '://' not in p]


@contextlib.contextmanager
def checked_checkpoints(cfg) -> Iterator[None]:
    """Check every checkpoint of :func:`checkpoints_in_config` (a refused one raises
    here, before anything is built) and let the trusted ones load while inside.

    Example:
        >>> with checked_checkpoints(cfg):
        ...     Runner.from_cfg(cfg).train()
    """
    paths = [p for p in checkpoints_in_config(cfg) if osp.isfile(p)]
    for path in paths:
        check_checkpoint(path)
    with trusted_globals(paths):
        yield


def unreadable(path: str, err: Exception) -> CheckpointLoadError:
    """The error for a file that is not a readable checkpoint, naming it."""
    first = (str(err).splitlines() or [''])[0].split('. ')[0][:160]
    return CheckpointLoadError(f'{path}: refused to load: not a readable checkpoint, the '
                               f'file is truncated or corrupt ({type(err).__name__}: {first})')


def _real(path: str) -> str:
    return osp.realpath(osp.expanduser(os.fspath(path)))


def _import(name: str) -> Any:
    """The object ``module.attr[.attr]`` names (``pkgutil.resolve_name``)."""
    try:
        return pkgutil.resolve_name(name)
    except (ImportError, AttributeError, ValueError) as err:
        raise ImportError(f'cannot import {name!r}, which a trusted checkpoint names '
                          f'({err})') from None
