"""``import symmim_mm`` registers modules and changes nothing else (a fresh interpreter
imports the stack, takes stock, imports symmim_mm and compares)."""
import json
import sys

import pytest

from tests.conftest import run_tool

STOCKTAKING = r'''
import inspect, json, sys
import torch, mmengine, mmcv, mmpretrain, mmdet, mmseg, timm
import mmpretrain.models, mmdet.models, mmseg.models  # what symmim_mm builds on
import mmengine.runner, mmengine.hooks, mmengine.logging, mmengine.fileio
from mmengine.fileio.backends import backends
from mmengine.registry import Registry
from mmengine.runner.checkpoint import CheckpointLoader

LIBRARIES = ('torch', 'mmengine', 'mmcv', 'mmpretrain', 'mmdet', 'mmseg', 'timm')


def functions():
    """Every function and class of the libraries, and every attribute of their classes."""
    found = {}
    for name, module in list(sys.modules.items()):
        if name.split('.')[0] not in LIBRARIES or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if callable(value):
                found[f'{name}.{attr}'] = value
            if inspect.isclass(value) and value.__module__ == name:
                for key, member in list(vars(value).items()):
                    found[f'{name}.{attr}.{key}'] = member
    return found


def registries():
    """The entries of every registry (MMEngine's and each library's)."""
    return {f'{r.scope}::{r.name}': dict(r.module_dict)
            for module in list(sys.modules.values()) if module is not None
            for r in list(vars(module).values()) if isinstance(r, Registry)}


def state():
    return dict(functions=functions(), registries=registries(),
                safe_globals=list(torch.serialization.get_safe_globals()),
                schemes=dict(CheckpointLoader._schemes), backends=dict(backends))


before = state()
import symmim_mm
after = state()
replaced = [k for k, v in before['functions'].items() if after['functions'].get(k, v) is not v]
overwritten = [f'{r}: {k}' for r, entries in before['registries'].items()
               for k, v in entries.items() if after['registries'].get(r, {}).get(k, v) is not v]
added = sorted(f'{r}: {k}' for r, entries in after['registries'].items()
               for k in entries if k not in before['registries'].get(r, {}))
print(json.dumps(dict(
    checked=len(before['functions']), replaced=replaced, overwritten=overwritten, added=added,
    safe_globals_changed=after['safe_globals'] != before['safe_globals'],
    schemes_changed=after['schemes'] != before['schemes'],
    new_backends=sorted(set(after['backends']) - set(before['backends'])),
    backends_replaced=[k for k, v in before['backends'].items() if after['backends'][k] is not v],
)))
'''


@pytest.mark.slow
def test_import_registers_modules_and_changes_nothing_else():
    report = json.loads(run_tool([sys.executable, '-c', STOCKTAKING]).stdout.splitlines()[-1])
    assert report['checked'] > 50000  # the libraries' functions and class members
    assert report['replaced'] == []  # no function of another library was patched
    assert report['overwritten'] == []  # no registered module was replaced
    assert not report['safe_globals_changed']  # torch's weights_only allowlist as it was
    assert not report['schemes_changed']  # MMEngine's checkpoint loaders as they were
    assert report['new_backends'] == ['local_atomic'] and report['backends_replaced'] == []
    added = set(report['added'])
    for name in ('mmpretrain::model: SymMIM', 'mmpretrain::model: SymMIMViT',
                 'mmpretrain::transform: SymmetricMaskGenerator',
                 'mmengine::hook: SafeCheckpointHook', 'mmengine::hook: RandomStateHook',
                 'mmengine::hook: StopOnNonFiniteLossHook',
                 'mmengine::optimizer wrapper constructor: LayerDecayOptimWrapperConstructor',
                 'mmdet::model: SymMIMViTDet', 'mmdet::model: ViTDetSimpleFPN',
                 'mmseg::model: SymMIMViTSeg'):
        assert name in added, (name, sorted(added))
