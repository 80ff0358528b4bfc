"""Makes the pinned OpenMMLab stack safe and working on torch >= 2.6.

torch >= 2.6 loads checkpoints with ``weights_only=True``: only tensors and plain
Python containers are unpickled, so a checkpoint cannot run code. mmengine 0.10.7
writes the Runner's ``MessageHub`` state (log history) as pickled ``HistoryBuffer``
objects and numpy arrays, so ``--resume`` of its own checkpoints fails with
``Unsupported global: ... HistoryBuffer``.

Rather than turning that safety off, :func:`apply` (called when ``symmim_mm`` is
imported) changes what is *saved*: ``MessageHub.state_dict`` stores log history as
plain lists and numbers, and ``MessageHub.load_state_dict`` rebuilds the
``HistoryBuffer`` objects from them. Our Runner checkpoints then load with
``weights_only=True`` like any other file; every other ``torch.load`` keeps the
safe default.

:func:`apply` also installs :func:`symmim_mm.utils.checkpoint.install`: MMEngine's
local-file checkpoint loader names the file it refuses (and loads a legacy file
only if ``--trust-checkpoint`` named it), and the ``Runner`` writes each checkpoint
to a temporary file renamed into place, so a killed run never leaves a half-written
one. Nothing else in mmengine is changed.
"""
import logging
import numbers
from typing import Any

import numpy as np
import torch
from mmengine.logging import HistoryBuffer, MessageHub, print_log

BUFFER_TAG = '__history_buffer__'
_PATCHED = '_symmim_plain_state'


def buffer_to_plain(buffer: HistoryBuffer) -> dict:
    """A ``HistoryBuffer`` as a dict of lists (loadable with ``weights_only=True``)."""
    logs, counts = buffer.data
    return {BUFFER_TAG: True, 'log_history': logs.tolist(),
            'count_history': counts.tolist(), 'max_length': int(buffer.max_length)}


def plain_to_buffer(state: dict) -> HistoryBuffer:
    """Inverse of :func:`buffer_to_plain`."""
    return HistoryBuffer(state['log_history'], state['count_history'], state['max_length'])


def to_plain(value: Any) -> Any:
    """Convert numpy values inside ``value`` to Python ones; raise ``TypeError`` on
    anything ``torch.load(weights_only=True)`` would refuse."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    if value is None or isinstance(value, (str, bool, numbers.Number, torch.Tensor)):
        return value
    if isinstance(value, dict):
        return type(value)((k, to_plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(to_plain(v) for v in value)
    raise TypeError(f'{type(value).__name__} is not a plain type')


def _plain_state_dict(original):

    def state_dict(self: MessageHub) -> dict:
        state = original(self)
        state['log_scalars'] = {k: buffer_to_plain(v) for k, v in state['log_scalars'].items()}
        info = {}
        for key, value in state['runtime_info'].items():
            try:
                info[key] = to_plain(value)
            except TypeError as err:
                print_log(f'message hub: runtime info {key!r} is not saved ({err}).',
                          logger='current', level=logging.WARNING)
        state['runtime_info'] = info
        return state

    return state_dict


def _plain_load_state_dict(original):

    def load_state_dict(self: MessageHub, state_dict) -> None:
        if isinstance(state_dict, dict) and 'log_scalars' in state_dict:
            scalars = {k: plain_to_buffer(v) if isinstance(v, dict) and v.get(BUFFER_TAG) else v
                       for k, v in state_dict['log_scalars'].items()}
            state_dict = dict(state_dict, log_scalars=scalars)
        original(self, state_dict)

    return load_state_dict


def apply() -> None:
    """Install the plain-type ``MessageHub`` state and the safe checkpoint reading
    and atomic writing (idempotent)."""
    from .utils.checkpoint import install
    install()
    if getattr(MessageHub, _PATCHED, False):
        return
    MessageHub.state_dict = _plain_state_dict(MessageHub.state_dict)
    MessageHub.load_state_dict = _plain_load_state_dict(MessageHub.load_state_dict)
    setattr(MessageHub, _PATCHED, True)
