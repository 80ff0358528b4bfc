"""Throughput of a training data pipeline in one loading process, for each JPEG
decoding backend and each resize step of its crops, and how far each variant's images
are from those of the pipeline as configured."""
import copy
import math
import random
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import mmcv
import numpy as np
import torch
from mmengine.config import Config

from .pipeline import build_pipeline, pipeline_config, transform_seconds

LOADERS = ('LoadImageFromFile', 'RobustLoadImageFromFile')
RESIZED_CROPS = ('RandomResizedCrop', 'FastRandomResizedCrop')
CROPS = RESIZED_CROPS + ('RandomResizedCropAndInterpolationWithTwoPic', 'ResizeEdge')
# The resize steps a RandomResizedCrop can end with, the crop sampling being the same:
# MMCV's Pillow resize (antialiased), OpenCV's (not antialiased), OpenCV's INTER_AREA
# (antialiased box filter when downscaling) and torch's antialiased one.
RESIZES = {
    'pillow': dict(type='RandomResizedCrop', backend='pillow'),
    'cv2': dict(type='RandomResizedCrop', backend='cv2'),
    'cv2-area': dict(type='RandomResizedCrop', backend='cv2', interpolation='area'),
    'torch': dict(type='FastRandomResizedCrop')
}
INTERPOLATIONS = {
    'pillow': ('nearest', 'bilinear', 'bicubic', 'lanczos'),
    'cv2': ('nearest', 'bilinear', 'bicubic', 'lanczos'),
    'cv2-area': ('area', ),
    'torch': ('bilinear', 'bicubic')
}


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


def resize_name(crop: dict) -> str:
    """The resize step of a crop transform: a key of ``RESIZES``, or its backend."""
    if crop['type'] == 'FastRandomResizedCrop':
        return 'torch'
    backend = crop.get('backend', 'cv2')
    return 'cv2-area' if backend == 'cv2' and crop.get('interpolation') == 'area' else backend


def crop_variants(crop: dict) -> Dict[str, dict]:
    """The crop as configured (first), then with each other resize step: for a
    ``RandomResizedCrop`` those of ``RESIZES`` that take its interpolation (the same
    scale and ranges), for other crops the other MMCV backend."""
    variants = {resize_name(crop): crop}
    if crop['type'] not in RESIZED_CROPS:
        for backend in ('pillow', 'cv2'):
            variants.setdefault(backend, dict(crop, backend=backend))
        return variants
    args = {k: v for k, v in crop.items() if k not in ('type', 'backend')}
    interpolation = args.get('interpolation', 'bilinear')
    for name, resize in RESIZES.items():
        if name != 'cv2-area' and interpolation not in INTERPOLATIONS[name]:
            continue
        variants.setdefault(name, {**args, 'interpolation': interpolation, **resize})
    return variants


def crops_of(node) -> List[dict]:
    """The crop transforms of a pipeline, in order, nested ones included (the
    ``transforms`` of ``MultiView``, ``RandomApply``, ...)."""
    if isinstance(node, dict):
        own = [node] if node.get('type') in CROPS else []
        return own + crops_of(node.get('transforms', []))
    if isinstance(node, (list, tuple)):
        return [crop for item in node for crop in crops_of(item)]
    return []


def _replace_crops(node, resize: str):
    """A copy of ``node`` with each crop's ``resize`` variant; None if a crop has none."""
    if isinstance(node, dict):
        if node.get('type') in CROPS:
            return copy.deepcopy(crop_variants(node).get(resize))
        out = copy.deepcopy(node)
        if 'transforms' in node:
            out['transforms'] = _replace_crops(node['transforms'], resize)
            if out['transforms'] is None:
                return None
        return out
    if isinstance(node, (list, tuple)):
        items = [_replace_crops(item, resize) for item in node]
        return None if any(item is None for item in items) else items
    return copy.deepcopy(node)


def pipeline_variants(pipeline: List[dict], backends: Sequence[str]) -> Dict[str, List[dict]]:
    """The pipeline as configured (first), then with its image loader replaced by
    ``LoadImageFromFile(imdecode_backend=...)`` for each decoding backend and by
    ``RobustLoadImageFromFile``, each loader with each resize step of the crops
    (:func:`crop_variants` of the first crop, applied to every crop, those of
    ``MultiView`` views included). Named ``'<loader>, <resize> resize'``."""
    at = _index(pipeline, LOADERS)
    if at is None:
        raise ValueError(f'the pipeline has no image loader ({" / ".join(LOADERS)}).')
    loaders = [
        pipeline[at],
        *(dict(type='LoadImageFromFile', imdecode_backend=backend) for backend in backends),
        dict(type='RobustLoadImageFromFile')
    ]
    crops = crops_of(pipeline)
    resizes = list(crop_variants(crops[0])) if crops else [None]
    variants: Dict[str, List[dict]] = {}
    for resize in resizes:
        resized = copy.deepcopy(pipeline) if resize is None or resize == resizes[0] \
            else _replace_crops(pipeline, resize)
        if resized is None:  # a crop without this resize step
            continue
        for loader in loaders:
            variant = copy.deepcopy(resized)
            variant[at] = copy.deepcopy(loader)
            name = loader_name(loader) + ('' if resize is None else f', {resize} resize')
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


def _views(inputs) -> List[torch.Tensor]:
    return list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]


def pixel_difference(outputs: Sequence[dict], reference: Sequence[dict]) -> Tuple[int, float]:
    """Largest and mean absolute pixel difference (0-255) between two runs' ``inputs``
    (each view of multi-view inputs); ``(255, 255.)`` when their shapes differ."""
    largest, total, count = 0, 0., 0
    for out, ref in zip(outputs, reference):
        views, refs = _views(out['inputs']), _views(ref['inputs'])
        if [v.shape for v in views] != [r.shape for r in refs]:
            return 255, 255.
        for view, ref_view in zip(views, refs):
            diff = (view.int() - ref_view.int()).abs()
            largest = max(largest, int(diff.max()))
            total, count = total + float(diff.sum()), count + diff.numel()
    return largest, total / max(count, 1)


def measure_variants(cfg: Config,
                     files: Sequence[str],
                     samples: int = 200,
                     rounds: int = 3,
                     check: int = 16,
                     backends: Optional[Sequence[str]] = None,
                     clock: Callable[[], float] = time.process_time) -> List[dict]:
    """Per-process images/s of each variant of the config's training pipeline.

    Variants run in turn, ``rounds`` times ``samples`` samples each (so that load on a
    shared machine hits all alike); the median round counts. Times are this process's
    CPU time by default (``clock``, see ``transform_seconds``). Each variant's first
    ``check`` samples are compared with the configured pipeline's under the same seeds.

    Returns:
        list[dict]: per variant, the configured pipeline first (``configured``):
        ``name``, ``pipeline``, ``images_per_s``, ``ms_per_image``, ``stages``
        (transform -> ms per image), ``max_pixel_difference`` and
        ``mean_pixel_difference`` (0-255; 0: the same images).
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
        largest, mean = pixel_difference(
            seeded_outputs(cfg, variants[name], files[:check]), reference)
        results.append(
            dict(
                name=name,
                configured=i == 0,
                pipeline=variants[name],
                images_per_s=1 / seconds,
                ms_per_image=1e3 * seconds,
                stages={
                    t: 1e3 * s
                    for t, s in best
                },
                max_pixel_difference=largest,
                mean_pixel_difference=mean))
    return results


def _total(stages: Sequence[tuple]) -> float:
    return sum(seconds for _, seconds in stages)


def fastest_close(results: Sequence[dict],
                  max_difference: int = 0,
                  mean_difference: float = 0.) -> dict:
    """The fastest variant whose images are within ``max_difference`` (every pixel) and
    ``mean_difference`` (on average) of the configured pipeline's; the defaults ask for
    the same images."""
    return max((r for r in results if r['max_pixel_difference'] <= max_difference
                and r['mean_pixel_difference'] <= mean_difference),
               key=lambda r: r['images_per_s'])


def workers_needed(images_per_s_per_worker: float, gpu_images_per_s: float) -> int:
    """Loading processes that keep up with a GPU consuming ``gpu_images_per_s``."""
    return math.ceil(gpu_images_per_s / images_per_s_per_worker)
