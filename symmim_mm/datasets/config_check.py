"""Checks of a training config that name the config key at fault, before anything runs.

MMEngine builds datasets and transforms only once training starts, and some wrong
settings surface only at the first step, as a shape mismatch deep in the model
(``The size of tensor a (64) must match the size of tensor b (256)``).
:func:`check_train_config` finds them at once, in a message that starts with the
config key, e.g. ``train_dataloader.dataset.pipeline[1] (SymmetricMaskGenerator):
`input_size` (30, 30) is not divisible by `patch_size` 4.``
"""
import inspect
import os.path as osp
from typing import Any, Iterator, List, Optional, Tuple

from mmengine.config import Config
from mmengine.dataset import BaseDataset
from mmengine.registry import DefaultScope
from mmpretrain.registry import DATASETS, MODELS, TRANSFORMS

SIZED_CROPS = {
    'RandomResizedCrop': 'scale',
    'FastRandomResizedCrop': 'scale',
    'CenterCrop': 'crop_size',
    'RandomCrop': 'crop_size'
}


class ConfigError(ValueError):
    """A wrong setting; the message starts with its config key."""


def check_train_config(cfg: Config) -> None:
    """Check the argument names of ``model``, ``train_dataloader`` (dataset paths and
    arguments, every pipeline transform) and, for SymMIM, that masks match the
    encoder's patch grid.

    Raises:
        ConfigError: The first wrong setting found, named by its config key.
    """
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmpretrain')):
        if isinstance(cfg.get('model'), dict):
            _check_arguments(MODELS, cfg.model, 'model')
        loader = cfg.get('train_dataloader')
        if not loader or not isinstance(loader.get('dataset'), dict):
            return
        for key, dataset in _datasets(loader['dataset'], 'train_dataloader.dataset'):
            _check_paths(dataset, key)
            for i, transform in enumerate(dataset.get('pipeline') or []):
                _build(TRANSFORMS, transform, f'{key}.pipeline[{i}]')
        _build_lazily(loader['dataset'], 'train_dataloader.dataset')
        if cfg.get('model', {}).get('type') == 'SymMIM':
            _check_masks(cfg)


def _check_arguments(registry: Any, cfg: dict, key: str) -> None:
    """Every key of ``cfg`` must be an argument of its class, if the class lists them all
    (no ``**kwargs``)."""
    cls = registry.get(cfg.get('type')) if isinstance(cfg.get('type'), str) else None
    if not isinstance(cls, type):
        return
    params = inspect.signature(cls.__init__).parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return
    unknown = sorted(set(cfg) - set(params) - {'type', '_scope_'})
    if unknown:
        moved = getattr(cls, 'moved_arguments', {}).get(unknown[0])
        if moved:  # an argument of an earlier release
            raise ConfigError(f'{key}.{unknown[0]}: {cls.__name__} no longer takes '
                              f'{unknown[0]!r}: set {moved}.')
        known = ', '.join(p for p in params if p != 'self')
        raise ConfigError(f'{key}.{unknown[0]}: {cls.__name__} has no argument '
                          f'{unknown[0]!r} (its arguments: {known}).')


def _datasets(dataset: dict, key: str) -> Iterator[Tuple[str, dict]]:
    """A dataset config and those it wraps (``dataset`` / ``datasets`` keys)."""
    yield key, dataset
    if isinstance(dataset.get('dataset'), dict):
        yield from _datasets(dataset['dataset'], f'{key}.dataset')
    for i, inner in enumerate(dataset.get('datasets') or []):
        if isinstance(inner, dict):
            yield from _datasets(inner, f'{key}.datasets[{i}]')


def _check_paths(dataset: dict, key: str) -> None:
    """``data_root``, ``ann_file`` and ``data_prefix`` must exist (local storage only)."""
    if dataset.get('backend_args'):
        return
    root = dataset.get('data_root') or ''
    if root and '://' not in root and not osp.isdir(root):
        cls = DATASETS.get(dataset['type']) if isinstance(dataset.get('type'), str) else None
        hint = getattr(cls, 'WHERE_TO_GET', '')  # a data set's own advice, if it has one
        raise ConfigError(f'{key}.data_root: {root!r} does not exist (absolute: '
                          f'{osp.abspath(root)}).' + (f' {hint}' if hint else ''))
    paths = [('ann_file', dataset.get('ann_file'))]
    prefix = dataset.get('data_prefix')
    if isinstance(prefix, str):
        paths.append(('data_prefix', prefix))
    elif isinstance(prefix, dict):
        paths.extend((f'data_prefix.{k}', v) for k, v in prefix.items())
    for name, path in paths:
        if not isinstance(path, str) or not path or '://' in path:
            continue
        full = path if osp.isabs(path) else osp.join(root, path)
        if not osp.exists(full):
            raise ConfigError(f'{key}.{name}: {full!r} does not exist.')


def _build(registry: Any, cfg: dict, key: str, **extra) -> Any:
    """``registry.build(cfg)``; any error is raised again as a ``ConfigError`` that
    starts with ``key`` and the type."""
    try:
        return registry.build(dict(cfg, **extra))
    except Exception as err:  # the registry re-raises the constructor's error
        raise ConfigError(f'{key} ({cfg.get("type")}): {err}') from err


def _build_lazily(dataset: dict, key: str) -> None:
    """Build the dataset without reading its annotations: unknown arguments show."""
    cls = DATASETS.get(dataset.get('type')) if isinstance(dataset.get('type'), str) else None
    if isinstance(cls, type) and issubclass(cls, BaseDataset):
        _build(DATASETS, dataset, key, lazy_init=True)


def _sizes(value: Any) -> Optional[Tuple[int, int]]:
    """The two sides of an int or a pair, smaller first (crops give ``(h, w)`` or
    ``(w, h)`` depending on the transform)."""
    if isinstance(value, int):
        return value, value
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return tuple(sorted(int(v) for v in value))
    return None


def _check_masks(cfg: Config) -> None:
    """Each ``SymmetricMaskGenerator`` must use the encoder's patch size and the size of
    the crop before it."""
    patch = cfg.model.get('backbone', {}).get('patch_size', 16)
    pipeline: List[dict] = cfg.train_dataloader.dataset.get('pipeline') or []
    crop = None
    for i, transform in enumerate(pipeline):
        kind = transform.get('type')
        inner = transform.get('transforms') or [[]] if kind == 'MultiView' else [[transform]]
        for t in inner[0]:  # a MultiView crops inside its views: the first view's crop
            if t.get('type') in SIZED_CROPS and _sizes(t.get(SIZED_CROPS[t['type']])):
                crop = (i, t['type'], _sizes(t[SIZED_CROPS[t['type']]]))
        if kind != 'SymmetricMaskGenerator':
            continue
        key = f'train_dataloader.dataset.pipeline[{i}]'
        if transform.get('patch_size', 16) != patch:
            raise ConfigError(f'{key}.patch_size ({transform.get("patch_size", 16)}) differs '
                              f'from model.backbone.patch_size ({patch}): the masks must lie '
                              'on the encoder\'s patch grid.')
        size = transform.get('input_size', 224)
        if crop is not None and _sizes(size) not in (None, crop[2]):
            raise ConfigError(f'{key}.input_size ({size}) differs from the size that '
                              f'pipeline[{crop[0]}] ({crop[1]}) crops to: the masks must '
                              'cover the image the model sees.')
