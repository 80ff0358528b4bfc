"""Build and time a config's training data pipeline, transform by transform."""
import copy
import os.path as osp
import time
from typing import Callable, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import DefaultScope

from ..testing.images import photo_like

MASK_TRANSFORMS = ('SymmetricMaskGenerator', 'SimMIMMaskGenerator', 'BEiTMaskGenerator')


def pipeline_config(cfg: Config) -> List[dict]:
    """A copy of ``train_dataloader.dataset.pipeline`` (of the innermost dataset, for
    wrappers such as ``RepeatDataset``)."""
    dataset = cfg.train_dataloader.dataset
    while 'pipeline' not in dataset and isinstance(dataset.get('dataset'), dict):
        dataset = dataset.dataset
    if 'pipeline' not in dataset:
        raise KeyError('train_dataloader.dataset has no `pipeline`.')
    return copy.deepcopy(list(dataset.pipeline))


def build_pipeline(cfg: Config, pipeline: Optional[List[dict]] = None) -> Compose:
    """``Compose`` of ``pipeline`` (default: the config's training pipeline), built in
    the config's registry scope."""
    pipeline = pipeline_config(cfg) if pipeline is None else pipeline
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmengine')):
        return Compose(pipeline)


def write_photo(path: str, height: int = 375, width: int = 500, seed: int = 0) -> str:
    """Write one photo-like JPEG (quality 90) of ImageNet's most common size; returns
    ``path``."""
    img = photo_like(np.random.default_rng(seed), height, width)
    if not cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, 90]):
        raise OSError(f'{path}: could not be written')
    return path


def transform_seconds(pipeline: Compose,
                      inputs: Sequence[Union[str, dict]],
                      repeats: int,
                      clock: Callable[[], float] = time.perf_counter) -> List[Tuple[str, float]]:
    """Mean seconds per sample of each transform of ``pipeline``.

    Args:
        pipeline (Compose): The transforms, run in one process, one sample at a time
            (as one data-loading worker does).
        inputs (Sequence[str | dict]): Image paths or input dicts, used in turn.
        repeats (int): Samples to run.
        clock (Callable[[], float]): Wall clock, or ``time.process_time`` for this
            process's CPU time (what a worker with a core of its own takes, whatever
            else runs on the machine). Defaults to ``time.perf_counter``.

    Returns:
        list[tuple[str, float]]: ``(transform name, seconds per sample)`` in order.
    """
    if repeats < 1 or not inputs:
        raise ValueError('transform_seconds needs inputs and repeats >= 1.')
    totals = [0.] * len(pipeline.transforms)
    for i in range(repeats):
        item = inputs[i % len(inputs)]
        results = dict(img_path=item) if isinstance(item, str) else dict(item)
        for k, transform in enumerate(pipeline.transforms):
            start = clock()
            results = transform(results)
            totals[k] += clock() - start
            if results is None:
                raise RuntimeError(f'{type(transform).__name__} dropped sample {item!r}.')
    return [(type(t).__name__, s / repeats) for t, s in zip(pipeline.transforms, totals)]


def mask_share(times: Sequence[Tuple[str, float]]) -> dict:
    """Seconds per sample of the mask generators and of the whole pipeline, and the
    generators' fraction of it."""
    mask = sum(s for name, s in times if name in MASK_TRANSFORMS)
    total = sum(s for _, s in times)
    return dict(mask_s=mask, pipeline_s=total, mask_fraction=mask / total)


def image_files(root: str, limit: int) -> List[str]:
    """Up to ``limit`` training images of an ImageNet-layout root (``meta/train.txt``)."""
    ann = osp.join(root, 'meta', 'train.txt')
    if not osp.isfile(ann):
        raise FileNotFoundError(f'{ann}: no ImageNet annotation file (expected '
                                'meta/train.txt under the data root).')
    with open(ann) as f:
        names = [line.split()[0] for line in f if line.strip()][:limit]
    if not names:
        raise ValueError(f'{ann}: lists no images.')
    return [osp.join(root, 'train', name) for name in names]
