"""Every checkpoint loading path refuses pickled objects with a message naming the
file; ``--trust-checkpoint PATH`` lets that one file load. Nothing is patched: MMEngine's
own loaders keep torch's ``weights_only=True`` default."""
import pickle
from pathlib import Path

import pytest
import torch
from mmdet.registry import MODELS as DET_MODELS
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmpretrain.models import VisionTransformer
from mmpretrain.registry import MODELS
from mmseg.registry import MODELS as SEG_MODELS

from symmim_mm.utils import (CheckpointLoadError, UnsafeCheckpointError, check_checkpoint,
                             load_checkpoint_tensors, safe_loading, trust_checkpoint,
                             trusted_globals)
from tests.conftest import TINY_ARCH, run_script, run_tool
from tests.test_robustness.runs import CONFIG, train_cmd

KNN_CONFIG = 'configs/symmim/benchmarks/vit-tiny-p4_knn_digits-32px.py'
LINEAR_CONFIG = 'configs/symmim/benchmarks/vit-tiny-p4_linear-30e_digits-32px.py'
FT_CONFIG = 'configs/symmim/benchmarks/vit-tiny-p4_ft-30e_digits-32px.py'


class Payload:
    """Unpickling this runs a shell command: what a hostile checkpoint carries."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        import os
        return os.system, (f'touch {self.marker}', )


def backbone_state() -> dict:
    vit = VisionTransformer(arch=TINY_ARCH, img_size=32, patch_size=8)
    return {f'backbone.{k}': v for k, v in vit.state_dict().items()}


@pytest.fixture
def evil(tmp_path):
    """A checkpoint with real weights and a code-running object; and its marker file."""
    path, marker = tmp_path / 'evil.pth', tmp_path / 'pwned'
    torch.save({'state_dict': backbone_state(), 'meta': {'note': Payload(marker)}}, path)
    yield path
    assert not marker.exists(), 'a refused checkpoint ran code'


@pytest.fixture
def legacy(tmp_path):
    """A trusted-source legacy checkpoint: weights plus a harmless pickled object."""
    path = tmp_path / 'legacy.pth'
    torch.save({'state_dict': backbone_state(), 'meta': {'source': Path('/data/run1')}}, path)
    return path


@pytest.fixture
def no_trust(monkeypatch):
    monkeypatch.setattr(safe_loading, '_trusted', set())


def refusal(path) -> str:
    return f'{path}: refused to load: it holds pickled Python objects, which could run code'


@pytest.mark.slow
def test_train_resume_refuses_a_pickled_checkpoint(tmp_path, evil):
    proc = run_tool(train_cmd(CONFIG, tmp_path / 'resume', ['--resume', evil]), check=False)
    assert proc.returncode != 0, proc.stdout[-2000:]
    assert refusal(evil) in proc.stderr.splitlines()[-1], proc.stderr[-3000:]
    assert 'posix.system' in proc.stderr and f'pass `--trust-checkpoint {evil}`' in proc.stderr
    assert not (tmp_path / 'resume').exists()  # refused before the Runner was built


@pytest.mark.parametrize('script, args', [
    ('tools/train.py', [CONFIG, '--cfg-options', 'load_from={evil}']),
    ('tools/train.py', [FT_CONFIG, '--cfg-options', 'model.backbone.init_cfg.checkpoint={evil}']),
    ('tools/test.py', [LINEAR_CONFIG, '{evil}']),
    ('tools/analysis_tools/knn_eval.py', [KNN_CONFIG, '--checkpoint', '{evil}']),
    ('tools/model_converters/symmim_convert.py', ['{evil}', '{out}', '--to', 'timm']),
    ('tools/model_converters/symmim_convert.py', ['{evil}', '{out}', '--to', 'mmdet']),
    ('tools/visualization/vis_reconstruction.py', [CONFIG, '{evil}', '--out', '{out}']),
])
def test_tools_refuse_a_pickled_checkpoint(tmp_path, monkeypatch, evil, no_trust, script, args):
    out = tmp_path / 'out.pth'
    args = [a.format(evil=evil, out=out) for a in args] + ['--work-dir', tmp_path / 'w'] * (
        script in ('tools/train.py', 'tools/test.py'))
    with pytest.raises(UnsafeCheckpointError) as refused:
        run_script(monkeypatch, script, *args)
    assert str(refused.value).startswith(refusal(evil))
    assert f'pass `--trust-checkpoint {evil}`' in str(refused.value)
    assert not out.exists() and not (tmp_path / 'w').exists()


@pytest.mark.parametrize('registry, scope, backbone', [
    (DET_MODELS, 'mmdet',
     dict(
         type='SymMIMViTDet',
         arch=TINY_ARCH,
         img_size=32,
         patch_size=8,
         window_size=2,
         global_indices=(1, ))),
    (SEG_MODELS, 'mmseg',
     dict(type='SymMIMViTSeg', arch=TINY_ARCH, img_size=32, patch_size=8, out_indices=(1, ))),
])
def test_our_backbones_refuse_with_the_message(evil, no_trust, registry, scope, backbone):
    init_default_scope(scope)
    init_cfg = dict(type='Pretrained', checkpoint=str(evil), prefix='backbone.')
    model = registry.build(dict(backbone, init_cfg=init_cfg))
    with pytest.raises(UnsafeCheckpointError, match=f'{evil}: refused to load'):
        model.init_weights()


def test_mmengine_loaders_stay_safe_by_torch_default(evil, no_trust):
    """Without our tools around them, MMEngine's loaders refuse too (torch's default)."""
    model = MODELS.build(
        dict(
            type='VisionTransformer',
            arch=TINY_ARCH,
            img_size=32,
            patch_size=8,
            init_cfg=dict(type='Pretrained', checkpoint=str(evil), prefix='backbone.')))
    with pytest.raises(pickle.UnpicklingError, match='weights_only'):
        model.init_weights()
    with pytest.raises(pickle.UnpicklingError, match='weights_only'):
        load_checkpoint(VisionTransformer(arch=TINY_ARCH, img_size=32, patch_size=8), str(evil))


def test_trust_applies_to_the_named_file_only(evil, legacy, no_trust):
    with pytest.raises(UnsafeCheckpointError, match=f'{legacy}: refused.*pathlib'):
        check_checkpoint(str(legacy))
    trust_checkpoint(str(legacy))
    assert check_checkpoint(str(legacy)) == ['pathlib.PosixPath']
    assert set(load_checkpoint_tensors(str(legacy))) == set(backbone_state())
    model = VisionTransformer(arch=TINY_ARCH, img_size=32, patch_size=8)
    with trusted_globals([str(legacy), str(evil)]):  # MMEngine's loader, inside the scope
        load_checkpoint(model, str(legacy), revise_keys=[(r'^backbone\.', '')])
        with pytest.raises(pickle.UnpicklingError):
            load_checkpoint(model, str(evil))  # its objects are not allowed by `legacy`
    torch.testing.assert_close(model.cls_token, backbone_state()['backbone.cls_token'])
    with pytest.raises(UnsafeCheckpointError, match=str(evil)):
        check_checkpoint(str(evil))
    with pytest.raises(pickle.UnpicklingError):  # the scope is over
        load_checkpoint(model, str(legacy))


@pytest.mark.slow
def test_trust_flag_of_the_tools(tmp_path, monkeypatch, evil, legacy, no_trust):
    out = tmp_path / 'b.pth'
    run_script(monkeypatch, 'tools/model_converters/symmim_convert.py', legacy, out, '--to',
               'mmpretrain', '--trust-checkpoint', legacy)
    assert set(torch.load(out,
                          weights_only=True)) == {k[len('backbone.'):]
                                                  for k in backbone_state()}
    with pytest.raises(UnsafeCheckpointError, match=str(evil)):  # trusts `legacy` only
        run_script(monkeypatch, 'tools/model_converters/symmim_convert.py', evil,
                   tmp_path / 'd.pth', '--to', 'mmdet', '--trust-checkpoint', legacy)
    work_dir = tmp_path / 'train'
    log = run_tool(
        train_cmd(CONFIG, work_dir, [
            '--trust-checkpoint', legacy, '--cfg-options', f'load_from={legacy}',
            'train_cfg.max_epochs=1', 'train_dataloader.num_batch_per_epoch=1',
            'train_dataloader.num_workers=0', 'model.backbone.arch.num_layers=2'
        ])).output
    assert f'{legacy}: trusted (--trust-checkpoint): unpickling pathlib.PosixPath' in log
    assert f'Load checkpoint from {legacy}' in log and (work_dir / 'epoch_1.pth').exists()


def test_truncated_and_foreign_files_are_named(tmp_path, monkeypatch, no_trust):
    path = tmp_path / 'cut.pth'
    torch.save({'state_dict': backbone_state()}, path)
    path.write_bytes(path.read_bytes()[:2000])
    words = f'{path}: refused to load: not a readable checkpoint, the file is truncated or corrupt'
    with pytest.raises(CheckpointLoadError, match=words):
        load_checkpoint_tensors(str(path))
    with pytest.raises(CheckpointLoadError, match=words):
        run_script(monkeypatch, 'tools/train.py', CONFIG, '--work-dir', tmp_path / 'w',
                   '--cfg-options', f'load_from={path}')
    text = tmp_path / 'notes.pth'
    text.write_text('not a checkpoint')
    with pytest.raises(CheckpointLoadError, match=f'{text}: refused to load: not a torch.save'):
        load_checkpoint_tensors(str(text))
    with pytest.raises(FileNotFoundError, match='checkpoint not found'):
        load_checkpoint_tensors(str(tmp_path / 'gone.pth'))
