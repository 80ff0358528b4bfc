"""Throughput of a training data pipeline in one loading process, for each JPEG
decoding backend (and resize backend) that MMCV offers here, and whether each
variant gives the same images as the pipeline as configured."""
import copy
import math
import random
from typing import Dict, List, Optional, Sequence

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


def pipeline_variants(pipeline: List[dict], backends: Sequence[str]) -> Dict[str, List[dict]]:
    """``'as configured'`` and, for each decoding backend, the pipeline with its image
    loader replaced by ``LoadImageFromFile(imdecode_backend=...)``; each also with the
    other resize backend (``cv2``/``pillow``) of the first crop."""
    loader = _index(pipeline, LOADERS)
    if loader is None:
        raise ValueError(f'the pipeline has no image loader ({" / ".join(LOADERS)}).')
    variants = {'as configured': copy.deepcopy(pipeline)}
    for backend in backends:
        variant = copy.deepcopy(pipeline)
        variant[loader] = dict(type='LoadImageFromFile', imdecode_backend=backend)
        variants[f'LoadImageFromFile({backend})'] = variant
    crop = _index(pipeline, CROPS)
    if crop is not None:
        current = pipeline[crop].get('backend', 'cv2')
        other = 'pillow' if current == 'cv2' else 'cv2'
        for name, variant in list(variants.items()):
            variant = copy.deepcopy(variant)
            variant[crop]['backend'] = other
            variants[f'{name}, {other} resize'] = variant
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
                     check: int = 16, backends: Optional[Sequence[str]] = None) -> List[dict]:
    """Per-process images/s of each variant of the config's training pipeline.

    Variants run in turn, ``rounds`` times ``samples`` samples each (so that load on a
    shared machine hits all alike); the median round counts. Each variant's first
    ``check`` samples are compared with the configured pipeline's under the same seeds.

    Returns:
        list[dict]: per variant: ``name``, ``pipeline``, ``images_per_s``,
        ``ms_per_image``, ``stages`` (transform -> ms per image) and
        ``max_pixel_difference`` (0: the same images).
    """
    if backends is None:
        backends = [b for b, why in decoding_backends().items() if why is None]
    variants = pipeline_variants(pipeline_config(cfg), backends)
    composes = {name: build_pipeline(cfg, p) for name, p in variants.items()}
    runs: Dict[str, list] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, compose in composes.items():
            runs[name].append(transform_seconds(compose, files, samples))
    reference = seeded_outputs(cfg, variants['as configured'], files[:check])
    results = []
    for name, rounds_ in runs.items():
        best = sorted(rounds_, key=_total)[len(rounds_) // 2]  # the median round
        seconds = _total(best)
        results.append(dict(
            name=name, pipeline=variants[name], images_per_s=1 / seconds,
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
