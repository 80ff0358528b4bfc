"""Python, NumPy and torch random states: captured as plain data, and a random stream
of its own for data loading."""
import random
from typing import Any, Callable, List, Sequence, Tuple

import numpy as np
import torch

RawStates = Tuple[Any, Any, torch.Tensor]  # (python, numpy, torch) as their libraries give them


def get_raw_states() -> RawStates:
    """The global Python, NumPy and torch (CPU) random states."""
    return random.getstate(), np.random.get_state(), torch.get_rng_state()


def set_raw_states(states: RawStates) -> None:
    """Inverse of :func:`get_raw_states`."""
    random.setstate(states[0])
    np.random.set_state(states[1])
    torch.set_rng_state(states[2])


def seeded_raw_states(*key: int) -> RawStates:
    """Fresh states seeded from ``key`` (non-negative ints), leaving the global ones as
    they were."""
    seed = int(np.random.SeedSequence([int(k) & 0xFFFFFFFF for k in key]).generate_state(1)[0])
    outer = get_raw_states()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    states = get_raw_states()
    set_raw_states(outer)
    return states


def capture_random_state() -> dict:
    """The global random states (and the current CUDA device's) as tensors, lists and
    numbers: a checkpoint holding them still loads with ``weights_only=True``."""
    (version, words, gauss), np_state, torch_state = get_raw_states()
    name, keys, pos, has_gauss, cached = np_state
    state = dict(
        python=[version, list(words), gauss],
        numpy=[
            name,
            torch.from_numpy(keys.astype(np.int64)),
            int(pos),
            int(has_gauss),
            float(cached)
        ],
        torch=torch_state)
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state()
    return state


def restore_random_state(state: dict) -> None:
    """Inverse of :func:`capture_random_state`."""
    version, words, gauss = state['python']
    name, keys, pos, has_gauss, cached = state['numpy']
    set_raw_states(
        ((version, tuple(words), gauss),
         (name, torch.as_tensor(keys).cpu().numpy().astype(np.uint32), pos, has_gauss, cached),
         torch.as_tensor(state['torch']).cpu()))
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(torch.as_tensor(state['cuda']).cpu())


def load_each(dataset: Any, indices: Sequence[int]) -> List[Any]:
    """``[dataset[i] for i in indices]``: what a DataLoader does without ``__getitems__``."""
    return [dataset[i] for i in indices]


class EpochSeededFetch:
    """A dataset's ``__getitems__`` that loads samples under a random stream of their own.

    The stream restarts at every epoch from ``(seed, rank, worker id, epoch)``, in
    the main process and in each data-loading worker (persistent or not), and is
    swapped in only while samples are loaded. Random transforms then depend on the
    epoch and the sample order alone, not on how the process got there (a resumed
    run, or the training steps that consumed the global stream).

    Args:
        dataset: The dataset whose samples are loaded.
        seed (int): The run's seed.
        rank (int): The process rank.
        epoch (torch.Tensor): A shared-memory int64 scalar holding the current epoch,
            updated by the training process and read by the workers.
    """

    def __init__(self, dataset: Any, seed: int, rank: int, epoch: torch.Tensor) -> None:
        self.dataset, self.seed, self.rank, self.epoch = dataset, seed, rank, epoch
        self._get_items: Callable = getattr(type(dataset), '__getitems__', None) or load_each
        self._epoch_seen = None
        self._states = None

    def __call__(self, indices: Sequence[int]) -> List[Any]:
        epoch = int(self.epoch)
        if epoch != self._epoch_seen:
            info = torch.utils.data.get_worker_info()
            worker = 0 if info is None else info.id + 1
            self._states = seeded_raw_states(self.seed, self.rank, worker, epoch)
            self._epoch_seen = epoch
        outer = get_raw_states()
        set_raw_states(self._states)
        try:
            return self._get_items(self.dataset, indices)
        finally:
            self._states = get_raw_states()
            set_raw_states(outer)
