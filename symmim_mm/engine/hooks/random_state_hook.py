"""Random states in checkpoints, so that a resumed run repeats the uninterrupted one."""
from typing import Optional

import torch
from mmengine.dist import all_gather_object, get_dist_info
from mmengine.hooks import CheckpointHook, Hook
from mmengine.registry import HOOKS

from .random_states import (EpochSeededFetch, capture_random_state, get_raw_states,
                            restore_random_state, set_raw_states)

CHECKPOINT_KEY = 'rng_state'


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Save and restore random states, so that ``--resume`` continues a run exactly.

    MMEngine's checkpoints carry the model, EMA, optimizer, schedulers and log
    history, but no random state: on resume it re-seeds from the config, and random
    transforms and layers then draw other numbers than the uninterrupted run would.
    This hook

    - writes every rank's Python, NumPy, torch (and CUDA) random state into each
      checkpoint (key ``'rng_state'``, plain tensors and lists: the file still loads
      with ``weights_only=True``) and restores them on resume;
    - keeps the sampler seed of the checkpoint (the sampler is built before resuming;
      this matters when ``randomness.seed`` is None);
    - with ``seed_data=True``, gives data loading a random stream of its own that
      restarts every epoch from ``(seed, rank, worker, epoch)``, in the main process
      and in every worker, persistent or not (see :class:`EpochSeededFetch`);
    - keeps validation from consuming the training stream.

    Together with ``DefaultSampler`` (its order depends on seed and epoch only) or
    ``InfiniteSampler``, a resumed run then draws the same data, augmentations and
    random layers as the uninterrupted run, and for a deterministic model gives the
    same losses. Limits: the world size must be unchanged (states are per rank), and
    MMEngine's ``EpochBasedTrainLoop`` restarts an epoch from its first batch, so in
    it only end-of-epoch checkpoints resume exactly (``IterBasedTrainLoop`` resumes
    exactly from any checkpoint).

    Args:
        seed_data (bool): Give data loading its own per-epoch random stream.
            Defaults to True.
    """

    priority = 'NORMAL'  # before CheckpointHook ('VERY_LOW') writes the checkpoint

    def __init__(self, seed_data: bool = True) -> None:
        self.seed_data = seed_data
        self._epoch = torch.zeros((), dtype=torch.int64).share_memory_()
        self._resumed: Optional[dict] = None  # this rank's states from the checkpoint
        self._sampler_seed: Optional[int] = None
        self._gathered: Optional[list] = None  # every rank's states, for the next save
        self._outside_val = None

    # ---------------------------------------------------------------- resume
    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Keep this rank's states of a checkpoint being resumed (not of ``load_from``)."""
        if not getattr(runner, '_resume', False):
            return
        saved = checkpoint.get(CHECKPOINT_KEY)
        if saved is None:
            runner.logger.warning('The checkpoint has no random states (written without '
                                  'RandomStateHook): the resumed run draws other random '
                                  'numbers than an uninterrupted one would.')
            return
        rank, world_size = get_dist_info()
        if len(saved['ranks']) != world_size:
            runner.logger.warning(f'The checkpoint holds the random states of '
                                  f'{len(saved["ranks"])} processes, this run has '
                                  f'{world_size}: random states are not restored.')
            return
        self._resumed = saved['ranks'][rank]
        self._sampler_seed = saved.get('sampler_seed')

    def before_train(self, runner) -> None:
        """Restore the resumed states; give data loading its own stream."""
        sampler = getattr(runner.train_dataloader, 'sampler', None)
        if self._sampler_seed is not None and getattr(sampler, 'seed', None) is not None \
                and sampler.seed != self._sampler_seed:
            runner.logger.info(f'Sampler seed {sampler.seed} -> {self._sampler_seed} '
                               '(from the checkpoint).')
            sampler.seed = self._sampler_seed
        if self.seed_data:
            dataset = runner.train_dataloader.dataset
            dataset.__getitems__ = EpochSeededFetch(dataset, runner.seed,
                                                    get_dist_info()[0], self._epoch)
        if self._resumed is not None:
            restore_random_state(self._resumed)
            self._resumed = None
            runner.logger.info('Random states restored from the checkpoint.')

    def before_train_epoch(self, runner) -> None:
        """Tell the data-loading processes which epoch it is."""
        self._epoch.fill_(runner.epoch)

    # ---------------------------------------------------------------- save
    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Collect every rank's states before an iteration checkpoint is written."""
        if self._checkpoint_due(runner, by_epoch=False):
            self._gather()

    def after_train_epoch(self, runner) -> None:
        """Collect every rank's states before an epoch checkpoint is written."""
        if self._checkpoint_due(runner, by_epoch=True):
            self._gather()

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Write the states into the checkpoint (runs on rank 0 only)."""
        ranks = self._gathered or [capture_random_state()]
        self._gathered = None
        sampler = getattr(runner.train_dataloader, 'sampler', None)
        seed = getattr(sampler, 'seed', None)
        checkpoint[CHECKPOINT_KEY] = dict(
            ranks=ranks, sampler_seed=None if seed is None else int(seed))

    def _gather(self) -> None:
        if get_dist_info()[1] > 1:
            self._gathered = all_gather_object(capture_random_state())

    @staticmethod
    def _checkpoint_due(runner, by_epoch: bool) -> bool:
        """Whether a ``CheckpointHook`` saves after this iteration / epoch (in which
        case every rank must hand its states over first)."""
        for hook in runner.hooks:
            if not isinstance(hook, CheckpointHook) or hook.by_epoch != by_epoch:
                continue
            if by_epoch:
                due = hook.every_n_epochs(
                    runner, hook.interval,
                    hook.save_begin) or (hook.save_last and hook.is_last_train_epoch(runner))
            else:
                due = hook.every_n_train_iters(
                    runner, hook.interval,
                    hook.save_begin) or (hook.save_last and hook.is_last_train_iter(runner))
            if due:
                return True
        return False

    # ---------------------------------------------------------------- validation
    def before_val_epoch(self, runner) -> None:
        """Set the training stream aside while validating."""
        self._outside_val = get_raw_states()

    def after_val_epoch(self, runner, metrics=None) -> None:
        """Continue the training stream where validation found it."""
        if self._outside_val is not None:
            set_raw_states(self._outside_val)
            self._outside_val = None
