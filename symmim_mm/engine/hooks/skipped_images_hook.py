"""Count, at the end of every epoch, the bad image files that loading skipped."""
import logging
from typing import Any, Iterator

import torch
from mmengine.dist import all_reduce, get_dist_info
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


def iter_transforms(dataset: Any) -> Iterator[Any]:
    """Every transform in the pipelines of ``dataset`` and of the datasets it wraps
    (``dataset``/``datasets`` attributes), nested ``transforms``/``pipelines`` included."""
    datasets, seen = [dataset], set()
    while datasets:
        data = datasets.pop()
        if id(data) in seen:
            continue
        seen.add(id(data))
        inner = getattr(data, 'datasets', None) or []
        datasets.extend([*inner, *([data.dataset] if hasattr(data, 'dataset') else [])])
        stack = [getattr(data, 'pipeline', None)]
        while stack:
            transform = stack.pop()
            if transform is None:
                continue
            yield transform
            for name in ('transforms', 'pipelines'):
                children = getattr(transform, name, None)
                if isinstance(children, (list, tuple)):
                    stack.extend(children)


@HOOKS.register_module()
class SkippedImagesHook(Hook):
    """Log how many bad image files ``RobustLoadImageFromFile(skip_bad=True)`` skipped
    in each training epoch, summed over data-loading workers and ranks.

    Each skipped file is also logged by name when it is met. Nothing is logged when
    no loading transform of the training pipeline skips bad files.
    """

    priority = 'BELOW_NORMAL'

    def __init__(self) -> None:
        self.total = 0

    def after_train_epoch(self, runner) -> None:
        """Report and reset the skip counters of the training pipeline."""
        loaders = [
            t for t in iter_transforms(runner.train_dataloader.dataset)
            if getattr(t, 'skip_bad', False) and hasattr(t, 'skipped_count')
        ]
        if not loaders:
            return
        count = torch.tensor(float(sum(t.skipped_count() for t in loaders)))
        for transform in loaders:
            transform.reset_skipped()
        if get_dist_info()[1] > 1:
            all_reduce(count)
        count = int(count)
        self.total += count
        message = (f'Epoch {runner.epoch + 1}: {count} samples skipped because their image '
                   f'file is bad (each named in a warning); {self.total} since the start of '
                   'this run.')
        runner.logger.log(logging.WARNING if count else logging.INFO, message)
