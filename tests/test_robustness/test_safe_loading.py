"""Every checkpoint loading path refuses pickled objects with a message naming the
file; ``--trust-checkpoint PATH`` lets that one file load."""
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

from symmim_mm.utils import checkpoint as ckpt_utils
from symmim_mm.utils.checkpoint import CheckpointLoadError, UnsafeCheckpointError
from tests.conftest import TINY_ARCH
from tests.test_robustness.runs import CONFIG, run, run_script, train_cmd

KNN_CONFIG = 'configs/symmim/benchmarks/vit-tiny-p4_knn_digits-32px.py'
LINEAR_CONFIG = 'configs/symmim/benchmarks/vit-tiny-p4_linear-30e_digits-32px.py'


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
    monkeypatch.setattr(ckpt_utils, '_trusted', set())


def test_train_resume_refuses_a_pickled_checkpoint(tmp_path, evil):
    proc = run(train_cmd(CONFIG, tmp_path / 'resume', ['--resume', evil]), check=False)
    assert proc.returncode != 0, proc.stdout[-2000:]
    message = f'{evil}: refused to load: it holds pickled Python objects'
    assert message in proc.stderr.splitlines()[-1], proc.stderr[-3000:]
    assert f'pass `--trust-checkpoint {evil}`' in proc.stderr


@pytest.mark.parametrize('script, args', [
    ('tools/train.py', [CONFIG, '--cfg-options', 'load_from={evil}']),
    ('tools/test.py', [LINEAR_CONFIG, '{evil}']),
    ('tools/analysis_tools/knn_eval.py', [KNN_CONFIG, '--checkpoint', '{evil}']),
    ('tools/model_converters/extract_backbone.py', ['{evil}', '{out}']),
    ('tools/model_converters/symmim_to_timm.py', ['{evil}', '{out}']),
    ('tools/model_converters/symmim_to_mmdet.py', ['{evil}', '{out}']),
    ('tools/model_converters/symmim_to_mmseg.py', ['{evil}', '{out}']),
    ('tools/visualization/vis_reconstruction.py', [CONFIG, '{evil}', '--out', '{out}']),
])
def test_tools_refuse_a_pickled_checkpoint(tmp_path, monkeypatch, evil, no_trust, script, args):
    out = tmp_path / 'out.pth'
    args = [a.format(evil=evil, out=out) for a in args] + ['--work-dir', tmp_path / 'w'] * (
        script in ('tools/train.py', 'tools/test.py'))
    with pytest.raises(UnsafeCheckpointError) as refused:
        run_script(monkeypatch, script, *args)
    assert str(refused.value).startswith(f'{evil}: refused to load: it holds pickled Python '
                                         'objects, which could run code')
    assert f'pass `--trust-checkpoint {evil}`' in str(refused.value)
    assert not out.exists()


@pytest.mark.parametrize('registry, scope, backbone', [
    (MODELS, 'mmpretrain', dict(type='VisionTransformer', arch=TINY_ARCH, img_size=32,
                                patch_size=8)),
    (DET_MODELS, 'mmdet', dict(type='SymMIMViTDet', arch=TINY_ARCH, img_size=32, patch_size=8,
                               window_size=2, global_indices=(1, ))),
    (SEG_MODELS, 'mmseg', dict(type='SymMIMViTSeg', arch=TINY_ARCH, img_size=32, patch_size=8,
                               out_indices=(1, ))),
])
def test_init_cfg_pretrained_refuses(evil, no_trust, registry, scope, backbone):
    init_default_scope(scope)
    init_cfg = dict(type='Pretrained', checkpoint=str(evil), prefix='backbone.')
    model = registry.build(dict(backbone, init_cfg=init_cfg))
    with pytest.raises(UnsafeCheckpointError, match=f'{evil}: refused to load'):
        model.init_weights()


def test_trust_applies_to_the_named_file_only(tmp_path, evil, legacy, no_trust):
    model = VisionTransformer(arch=TINY_ARCH, img_size=32, patch_size=8)
    with pytest.raises(pickle.UnpicklingError, match=f'{legacy}: refused'):
        load_checkpoint(model, str(legacy), revise_keys=[(r'^backbone\.', '')])
    ckpt_utils.trust_checkpoint(str(legacy))
    load_checkpoint(model, str(legacy), revise_keys=[(r'^backbone\.', '')])
    torch.testing.assert_close(model.cls_token, backbone_state()['backbone.cls_token'])
    with pytest.raises(UnsafeCheckpointError, match=str(evil)):
        load_checkpoint(model, str(evil))  # another file stays refused


def test_trust_flag_of_the_tools(tmp_path, monkeypatch, evil, legacy, no_trust):
    out = tmp_path / 'b.pth'
    run_script(monkeypatch, 'tools/model_converters/extract_backbone.py', legacy, out,
               '--trust-checkpoint', legacy)
    assert set(torch.load(out, weights_only=True)['state_dict']) == {
        k[len('backbone.'):] for k in backbone_state()}
    with pytest.raises(UnsafeCheckpointError, match=str(evil)):  # trusts `legacy` only
        run_script(monkeypatch, 'tools/model_converters/symmim_to_mmdet.py', evil,
                   tmp_path / 'd.pth', '--trust-checkpoint', legacy)
    work_dir = tmp_path / 'train'
    run_script(monkeypatch, 'tools/train.py', CONFIG, '--work-dir', work_dir,
               '--trust-checkpoint', legacy, '--cfg-options', f'load_from={legacy}',
               'train_cfg.max_epochs=1', 'train_dataloader.num_batch_per_epoch=1',
               'train_dataloader.num_workers=0', 'model.backbone.arch.num_layers=2')
    log = next(work_dir.glob('*/*.log')).read_text()
    assert 'loading with weights_only=False (--trust-checkpoint)' in log
    assert f'Load checkpoint from {legacy}' in log and (work_dir / 'epoch_1.pth').exists()


def test_a_truncated_checkpoint_is_named(tmp_path, no_trust):
    path = tmp_path / 'cut.pth'
    torch.save({'state_dict': backbone_state()}, path)
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(CheckpointLoadError, match=f'{path}: refused to load: not a readable '
                       'checkpoint, the file is truncated or corrupt'):
        load_checkpoint(VisionTransformer(arch=TINY_ARCH, img_size=32, patch_size=8), str(path))
