"""Checkpoints that are never half-written and that load with ``weights_only=True``."""
from typing import Optional

from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS

from ...utils.atomic_io import ATOMIC_BACKEND
from .message_hub_state import plain_message_hub_state, restore_message_hub_state


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """MMEngine's ``CheckpointHook``, with two changes to what it writes.

    - **Atomic**: local checkpoints are written through the ``'local_atomic'`` file
      backend (:class:`symmim_mm.utils.AtomicLocalBackend`):
      to a temporary file renamed into place, so a run killed while saving leaves
      the previous files whole. Set ``backend_args`` to write elsewhere (e.g. to
      object storage) as ``CheckpointHook`` does.
    - **Loadable with** ``weights_only=True``: the Runner's ``MessageHub`` state (log
      history, runtime info) is stored as lists and numbers
      (:func:`plain_message_hub_state`) and restored when the checkpoint is loaded,
      so ``--resume`` works without allowing any pickled object.

    Use it as the checkpoint hook of a config; every argument is ``CheckpointHook``'s::

        default_hooks = dict(checkpoint=dict(type='SafeCheckpointHook', interval=1))
    """

    def before_train(self, runner) -> None:
        """Choose the atomic backend for a local ``out_dir`` with no ``backend_args``."""
        out_dir = self.out_dir or runner.work_dir
        if self.backend_args is None and self.file_client_args is None \
                and '://' not in str(out_dir):
            self.backend_args = dict(backend=ATOMIC_BACKEND)
        super().before_train(runner)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Store the ``MessageHub`` state in plain types."""
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = plain_message_hub_state(checkpoint['message_hub'])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Rebuild the ``HistoryBuffer`` objects of a loaded ``MessageHub`` state."""
        hub: Optional[dict] = checkpoint.get('message_hub')
        if isinstance(hub, dict):
            checkpoint['message_hub'] = restore_message_hub_state(hub)
