"""Files written atomically: a reader sees the old file or the new one, never part of one."""
import contextlib
import glob
import os
import os.path as osp
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable, Union

import torch
from mmengine.fileio import LocalBackend, register_backend

ATOMIC_BACKEND = 'local_atomic'


def atomic_write(path: Union[str, Path], write: Callable[[BinaryIO], Any]) -> None:
    """Call ``write(f)`` on a temporary file next to ``path`` (``.<name>.<random>.tmp``),
    flush it to disk, then rename it over ``path``.

    Temporary files of ``path`` left by a writer that was killed are removed first.

    Args:
        path (str | Path): The file to (re)write; its folder is created.
        write (Callable): Writes the content into the binary file it is given.
    """
    directory, name = osp.split(osp.abspath(os.fspath(path)))
    os.makedirs(directory, exist_ok=True)
    for stale in glob.glob(osp.join(directory, f'.{glob.escape(name)}.*.tmp')):
        with contextlib.suppress(FileNotFoundError):
            os.remove(stale)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f'.{name}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def save_atomic(obj: Any, path: Union[str, Path]) -> None:
    """``torch.save(obj, path)`` through :func:`atomic_write`."""
    atomic_write(path, lambda f: torch.save(obj, f))


@register_backend(ATOMIC_BACKEND)
class AtomicLocalBackend(LocalBackend):
    """MMEngine's local file backend whose ``put`` and ``put_text`` write atomically
    (:func:`atomic_write`); reading, listing and removing are ``LocalBackend``'s.

    Registered as ``'local_atomic'``: ``backend_args=dict(backend='local_atomic')``
    selects it wherever MMEngine takes ``backend_args`` (``SafeCheckpointHook`` does).
    """

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write ``obj`` to ``filepath`` atomically."""
        atomic_write(filepath, lambda f: f.write(obj))

    def put_text(self, obj: str, filepath: Union[str, Path], encoding: str = 'utf-8') -> None:
        """Write the text ``obj`` to ``filepath`` atomically."""
        self.put(obj.encode(encoding), filepath)
