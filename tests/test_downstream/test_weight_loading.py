"""SymMIM checkpoint -> downstream backbones: the converter and init_cfg Pretrained."""
import pytest
import torch
from mmdet.registry import MODELS as DET_MODELS
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS as SEG_MODELS

from symmim_mm.utils import convert_checkpoint, encoder_state_dict, vit_to_sam_layout
from tests.conftest import CKPT_ARCH as ARCH
from tests.conftest import ONLINE, ROOT, TEACHER, run_script

PATCH = 16


def det_backbone(init_cfg=None, img_size=128):
    init_default_scope('mmdet')
    return DET_MODELS.build(
        dict(
            type='SymMIMViTDet',
            arch=ARCH,
            img_size=img_size,
            patch_size=PATCH,
            window_size=3,
            global_indices=(1, 3),
            init_cfg=init_cfg))


def seg_backbone(init_cfg=None, img_size=64):
    init_default_scope('mmseg')
    return SEG_MODELS.build(
        dict(
            type='SymMIMViTSeg',
            arch=ARCH,
            img_size=img_size,
            patch_size=PATCH,
            out_indices=(1, 3),
            init_cfg=init_cfg))


def source(path, prefix, layout=dict):
    """The encoder under ``prefix`` as the backbone holds it."""
    state = torch.load(path, weights_only=True)['state_dict']
    return layout({k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)})


@pytest.mark.parametrize('target, build, teacher, layout', [
    ('mmdet', det_backbone, False, vit_to_sam_layout),
    ('mmseg', seg_backbone, True, dict),
])
def test_converted_files_load_strictly(tmp_path, monkeypatch, symmim_checkpoint, target, build,
                                       teacher, layout):
    dst = tmp_path / 'converted.pth'
    run_script(monkeypatch, 'tools/model_converters/symmim_convert.py', symmim_checkpoint, dst,
               '--to', target, *(['--teacher'] if teacher else []))
    state = torch.load(dst, weights_only=True)  # a flat dict of tensors
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    assert 'mask_token' not in state and 'ln1.weight' not in state
    src = source(symmim_checkpoint, TEACHER if teacher else ONLINE, layout)
    assert set(state) == set(src) - {'mask_token', 'ln1.weight', 'ln1.bias'}
    for k, v in state.items():
        torch.testing.assert_close(v, src[k])

    model = build(img_size=PATCH * 4)  # the pretraining grid
    model.load_state_dict(state, strict=True)
    torch.testing.assert_close(model.pos_embed, src['pos_embed'])
    model = build(init_cfg=dict(type='Pretrained', checkpoint=str(dst), prefix=None))
    model.init_weights()  # another grid: pos_embed is resized while loading
    torch.testing.assert_close(model.layers[0].attn.qkv.weight, src['layers.0.attn.qkv.weight'])


@pytest.mark.parametrize('build', [det_backbone, seg_backbone])
@pytest.mark.parametrize('prefix', [ONLINE, TEACHER])
def test_init_cfg_pretrained_with_prefix(symmim_checkpoint, build, prefix):
    model = build(dict(type='Pretrained', checkpoint=str(symmim_checkpoint), prefix=prefix))
    model.init_weights()
    src = source(symmim_checkpoint, prefix)
    ours = model.state_dict()
    assert set(ours) == set(src) - {'mask_token', 'ln1.weight', 'ln1.bias'
                                    } - ({'cls_token'} if build is det_backbone else set())
    for k, v in ours.items():
        if k != 'pos_embed':
            torch.testing.assert_close(v, src[k], msg=k)
    grid = model.img_size[0] // PATCH
    assert ours['pos_embed'].numel() == (1 + grid**2 -
                                         (build is det_backbone)) * ARCH['embed_dims']


def test_pos_embed_is_resized_not_reordered(symmim_checkpoint):
    """At the pretraining grid the ViTDet pos_embed is the SymMIM one without the cls
    position, position for position."""
    model = det_backbone(
        dict(type='Pretrained', checkpoint=str(symmim_checkpoint), prefix=ONLINE),
        img_size=PATCH * 4)
    model.init_weights()
    pos = source(symmim_checkpoint, ONLINE)['pos_embed']  # (1, 1 + 16, C)
    torch.testing.assert_close(model.pos_embed[0, 1, 2], pos[0, 1 + 1 * 4 + 2])


def test_rel_pos_tables_may_be_missing(symmim_checkpoint):
    init_default_scope('mmdet')
    model = DET_MODELS.build(
        dict(
            type='SymMIMViTDet',
            arch=ARCH,
            img_size=128,
            patch_size=PATCH,
            window_size=3,
            global_indices=(1, 3),
            use_rel_pos=True,
            init_cfg=dict(type='Pretrained', checkpoint=str(symmim_checkpoint), prefix=ONLINE)))
    model.init_weights()
    assert model.layers[1].attn.rel_pos_w.shape == (2 * 8 - 1, 16)


def test_mismatches_raise(tmp_path, symmim_checkpoint):
    state = torch.load(symmim_checkpoint, weights_only=True)['state_dict']
    state['backbone.layers.0.attn.extra'] = torch.zeros(1)
    del state['backbone.layers.1.ln2.bias']
    bad = tmp_path / 'bad.pth'
    torch.save({'state_dict': state}, bad)
    model = det_backbone(dict(type='Pretrained', checkpoint=str(bad), prefix=ONLINE))
    with pytest.raises(
            RuntimeError,
            match=r"missing \['layers.1.ln2.bias'\].*"
            r"unexpected \['layers.0.attn.extra'\]"):
        model.init_weights()
    with pytest.raises(KeyError, match='No weights under'):
        seg_backbone(dict(type='Pretrained', checkpoint=str(bad),
                          prefix='encoder.')).init_weights()
    with pytest.raises(ValueError, match='init_cfg.checkpoint is empty'):
        seg_backbone(dict(type='Pretrained', checkpoint='', prefix=ONLINE)).init_weights()


def test_pickled_objects_are_refused(tmp_path):
    path = tmp_path / 'unsafe.pth'
    torch.save({'state_dict': {}, 'meta': {'obj': ROOT}}, path)  # a pathlib object
    with pytest.raises(ValueError, match='refused to load'):
        det_backbone(dict(type='Pretrained', checkpoint=str(path), prefix=ONLINE)).init_weights()


def test_encoder_state_dict_keeps_final_norm_on_request():
    state = {
        'backbone.ln1.weight': torch.ones(2),
        'backbone.layers.0.ln1.weight': torch.ones(2),
        'backbone.mask_token': torch.zeros(1, 1, 2),
        'head.w': torch.ones(1)
    }
    assert set(encoder_state_dict(state)) == {'layers.0.ln1.weight'}
    assert set(encoder_state_dict(state, final_norm=True)) == {'ln1.weight', 'layers.0.ln1.weight'}


def test_convert_checkpoint_returns_what_it_wrote(tmp_path, symmim_checkpoint):
    dst = tmp_path / 'teacher.safetensors'
    state = convert_checkpoint(str(symmim_checkpoint), str(dst), 'mmdet', teacher=True)
    model = det_backbone(dict(type='Pretrained', checkpoint=str(dst), prefix=None))
    model.init_weights()
    torch.testing.assert_close(model.layers[3].ffn.layers[1].weight,
                               state['layers.3.ffn.layers.1.weight'])
