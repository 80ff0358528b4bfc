"""The Runner's ``MessageHub`` state in plain types, so that checkpoints load with
``weights_only=True``.

MMEngine saves log history as ``HistoryBuffer`` objects whose pickles name, besides
the class, numpy's array constructors and ``builtins.getattr`` (for the statistics
methods they keep). ``getattr`` lets a file call anything, so it must not be allowed
for ``weights_only`` loading; the state is written as lists and numbers instead and
turned back into ``HistoryBuffer`` objects on loading.
"""
import logging
import numbers
from typing import Any

import numpy as np
import torch
from mmengine.logging import HistoryBuffer, print_log

BUFFER_TAG = '__history_buffer__'


def buffer_to_plain(buffer: HistoryBuffer) -> dict:
    """A ``HistoryBuffer`` as a dict of lists and numbers."""
    logs, counts = buffer.data
    return {
        BUFFER_TAG: True,
        'log_history': logs.tolist(),
        'count_history': counts.tolist(),
        'max_length': int(buffer.max_length)
    }


def plain_to_buffer(state: dict) -> HistoryBuffer:
    """Inverse of :func:`buffer_to_plain`."""
    return HistoryBuffer(state['log_history'], state['count_history'], state['max_length'])


def to_plain(value: Any) -> Any:
    """``value`` with numpy values turned into Python ones.

    Raises:
        TypeError: ``value`` holds something ``weights_only`` loading refuses.
    """
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    if value is None or isinstance(value, (str, bool, numbers.Number, torch.Tensor)):
        return value
    if isinstance(value, dict):
        return type(value)((k, to_plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(to_plain(v) for v in value)
    raise TypeError(f'{type(value).__name__} is not a plain type')


def plain_message_hub_state(state: dict) -> dict:
    """``MessageHub.state_dict()`` in plain types; runtime info that has none is left
    out with a warning."""
    info = {}
    for key, value in state['runtime_info'].items():
        try:
            info[key] = to_plain(value)
        except TypeError as err:
            print_log(
                f'message hub: runtime info {key!r} is not saved ({err}).',
                logger='current',
                level=logging.WARNING)
    return dict(
        state,
        runtime_info=info,
        log_scalars={
            k: buffer_to_plain(v) if isinstance(v, HistoryBuffer) else v
            for k, v in state['log_scalars'].items()
        })


def restore_message_hub_state(state: dict) -> dict:
    """Inverse of :func:`plain_message_hub_state` (other states pass unchanged)."""
    scalars = {
        k: plain_to_buffer(v) if isinstance(v, dict) and v.get(BUFFER_TAG) else v
        for k, v in state.get('log_scalars', {}).items()
    }
    return dict(state, log_scalars=scalars)
