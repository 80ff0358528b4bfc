"""Throughput of a training data pipeline in one loading process, for each JPEG
decoding backend (and resize backend) that MMCV offers here, and whether each
variant gives the same images as the pipeline as configured."""
import copy
import math
import random
import time
from typing import Callable, Dict, List, Optional, Sequence

import mmcv
import numpy as np
import torch
from mmengine.config import Config

from .pipeline import build_pipeline, pipeline_config, transform_seconds

LOADERS = ('LoadImageFromFile', 'RobustLoadImageFromFile')
CROPS = ('RandomResizedCrop', 'RandomResizedCropAndInterpolationWithTwoPic', 'ResizeEdge')


def decoding_backends() -> Dict[str, Optional[str]]:
    """MMCV's JPEG decoding backends: ``name -> None`` when usable here, else why not.

    ``turbojpeg`` needs the PyTurboJPEG package and the libturbojpeg library (e.g.
    ``apt-get install libturbojpeg0 && pip install "PyTurboJPEG<2"``; PyTurboJPEG 2
    needs libjpeg-turbo 3). MMCV decodes with it only after
    ``mmcv.use_backend('turbojpeg')`` has made its decoder, which this function does
    (the default backend stays ``cv2``).
    """
    backends: Dict[str, Optional[str]] = dict(cv2=None, pillow=None)
    try:
        from turbojpeg import TurboJPEG
        TurboJPEG()
        mmcv.use_backend('turbojpeg')
        backends['turbojpeg'] = None
    except (ImportError, OSError, RuntimeError) as err:
        backends['turbojpeg'] = f'{type(err).__name__}: {err}'.splitlines()[0]
    finally:
        mmcv.use_backend('cv2')
    return backends


def _index(pipeline: List[dict], types: Sequence[str]) -> Optional[int]:
    return next((i for i, t in enumerate(pipeline) if t.get('type') in types), None)


def loader_name(transform: dict) -> str:
    """``LoadImageFromFile(<decoder>)`` or the loader's type."""
    if transform['type'] == 'LoadImageFromFile':
        return f"LoadImageFromFile({transform.get('imdecode_backend', 'cv2')})"
    return transform['type']


def pipeline_variants(pipeline: List[dict], backends: Sequence[str]) -> Dict[str, List[dict]]:
    """The pipeline as configured (first), then with its image loader replaced by
    ``LoadImageFromFile(imdecode_backend=...)`` for each decoding backend and by
    ``RobustLoadImageFromFile``; each loader also with both resize backends
    (``pillow``, ``cv2``) of the first crop. Named ``'<loader>, <backend> resize'``."""
    at = _index(pipeline, LOADERS)
    if at is None:
        raise ValueError(f'the pipeline has no image loader ({" / ".join(LOADERS)}).')
    loaders = [pipeline[at], *(dict(type='LoadImageFromFile', imdecode_backend=backend)
                               for backend in backends),
               dict(type='RobustLoadImageFromFile')]
    crop = _index(pipeline, CROPS)
    resizes = [None] if crop is None else [pipeline[crop].get('backend', 'cv2')]
    resizes += [] if crop is None else [b for b in ('pillow', 'cv2') if b not in resizes]
    variants: Dict[str, List[dict]] = {}
    for resize in resizes:
        for loader in loaders:
            variant = copy.deepcopy(pipeline)
            variant[at] = copy.deepcopy(loader)
            name = loader_name(loader)
            if resize is not None:
                variant[crop]['backend'] = resize
                name += f', {resize} resize'
            variants.setdefault(name, variant)  # the configured loader comes first
    return variants


def seeded_outputs(cfg: Config, pipeline: List[dict], files: Sequence[str]) -> List[dict]:
    """The pipeline's packed samples of ``files``, sample ``i`` drawn with seed ``i``."""
    compose = build_pipeline(cfg, pipeline)
    outputs = []
    for i, path in enumerate(files):
        random.seed(i)
        np.random.seed(i)
        torch.manual_seed(i)
        outputs.append(compose(dict(img_path=path)))
    return outputs


def max_difference(outputs: Sequence[dict], reference: Sequence[dict]) -> int:
    """Largest absolute pixel difference between two runs' ``inputs``."""
    diff = 0
    for out, ref in zip(outputs, reference):
        if out['inputs'].shape != ref['inputs'].shape:
            return 255
        diff = max(diff, int((out['inputs'].int() - ref['inputs'].int()).abs().max()))
    return diff


def measure_variants(cfg: Config, files: Sequence[str], samples: int = 200, rounds: int = 3,
                     check: int = 16, backends: Optional[Sequence[str]] = None,
                     clock: Callable[[], float] = time.process_time) -> List[dict]:
    """Per-process images/s of each variant of the config's training pipeline.

    Variants run in turn, ``rounds`` times ``samples`` samples each (so that load on a
    shared machine hits all alike); the median round counts. Times are this process's
    CPU time by default (``clock``, see ``transform_seconds``). Each variant's first
    ``check`` samples are compared with the configured pipeline's under the same seeds.

    Returns:
        list[dict]: per variant, the configured pipeline first (``configured``):
        ``name``, ``pipeline``, ``images_per_s``, ``ms_per_image``, ``stages``
        (transform -> ms per image) and ``max_pixel_difference`` (0: the same images).
    """
    if backends is None:
        backends = [b for b, why in decoding_backends().items() if why is None]
    variants = pipeline_variants(pipeline_config(cfg), backends)
    composes = {name: build_pipeline(cfg, p) for name, p in variants.items()}
    runs: Dict[str, list] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, compose in composes.items():
            runs[name].append(transform_seconds(compose, files, samples, clock))
    reference = seeded_outputs(cfg, next(iter(variants.values())), files[:check])
    results = []
    for i, (name, rounds_) in enumerate(runs.items()):
        best = sorted(rounds_, key=_total)[len(rounds_) // 2]  # the median round
        seconds = _total(best)
        results.append(dict(
            name=name, configured=i == 0, pipeline=variants[name], images_per_s=1 / seconds,
            ms_per_image=1e3 * seconds, stages={t: 1e3 * s for t, s in best},
            max_pixel_difference=max_difference(
                seeded_outputs(cfg, variants[name], files[:check]), reference)))
    return results


def _total(stages: Sequence[tuple]) -> float:
    return sum(seconds for _, seconds in stages)


def fastest_same(results: Sequence[dict]) -> dict:
    """The fastest variant that gives the configured pipeline's images exactly."""
    return max((r for r in results if r['max_pixel_difference'] == 0),
               key=lambda r: r['images_per_s'])


def workers_needed(images_per_s_per_worker: float, gpu_images_per_s: float) -> int:
    """Loading processes that keep up with a GPU consuming ``gpu_images_per_s``."""
    return math.ceil(gpu_images_per_s / images_per_s_per_worker)
