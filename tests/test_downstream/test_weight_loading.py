"""SymMIM checkpoint -> downstream backbones: converters and init_cfg Pretrained."""
import pytest
import torch
from mmdet.registry import MODELS as DET_MODELS
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS as SEG_MODELS

from symmim_mm.downstream import convert_checkpoint, encoder_state_dict
from tests.test_downstream.conftest import ARCH, PATCH, ROOT, run_tool

ONLINE, TEACHER = 'backbone.', 'momentum_encoder.module.0.'


def det_backbone(init_cfg=None, img_size=128):
    init_default_scope('mmdet')
    return DET_MODELS.build(dict(type='SymMIMViTDet', arch=ARCH, img_size=img_size,
                                 patch_size=PATCH, window_size=3, global_indices=(1, 3),
                                 init_cfg=init_cfg))


def seg_backbone(init_cfg=None, img_size=64):
    init_default_scope('mmseg')
    return SEG_MODELS.build(dict(type='SymMIMViTSeg', arch=ARCH, img_size=img_size,
                                 patch_size=PATCH, out_indices=(1, 3), init_cfg=init_cfg))


def source(path, prefix):
    state = torch.load(path, weights_only=True)['state_dict']
    return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}


@pytest.mark.parametrize('script, build, teacher', [
    ('symmim_to_mmdet.py', det_backbone, False),
    ('symmim_to_mmseg.py', seg_backbone, True),
])
def test_converter_scripts_load_strictly(tmp_path, symmim_checkpoint, script, build, teacher):
    dst = tmp_path / 'converted.pth'
    run_tool([f'tools/model_converters/{script}', symmim_checkpoint, dst,
              *(['--teacher'] if teacher else [])])
    ckpt = torch.load(dst, weights_only=True)  # pure tensors
    assert set(ckpt) == {'state_dict'}
    state = ckpt['state_dict']
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    assert 'mask_token' not in state and 'ln1.weight' not in state
    src = source(symmim_checkpoint, TEACHER if teacher else ONLINE)
    for k, v in state.items():
        torch.testing.assert_close(v, src[k])

    model = build(img_size=PATCH * 4)  # the pretraining grid
    model.load_state_dict(state, strict=True)
    model = build()  # another grid: pos_embed is resized while loading
    model.load_state_dict(state, strict=True)
    torch.testing.assert_close(model.layers[0].attn.qkv.weight, src['layers.0.attn.qkv.weight'])


@pytest.mark.parametrize('build', [det_backbone, seg_backbone])
@pytest.mark.parametrize('prefix', [ONLINE, TEACHER])
def test_init_cfg_pretrained_with_prefix(symmim_checkpoint, build, prefix):
    model = build(dict(type='Pretrained', checkpoint=str(symmim_checkpoint), prefix=prefix))
    model.init_weights()
    src = source(symmim_checkpoint, prefix)
    ours = model.state_dict()
    for k, v in ours.items():
        if k != 'pos_embed':
            torch.testing.assert_close(v, src[k], msg=k)
    assert ours['pos_embed'].shape[1] == 1 + (model.img_size[0] // PATCH) ** 2


def test_init_cfg_converted_file_without_prefix(tmp_path, symmim_checkpoint):
    dst = tmp_path / 'teacher.pth'
    convert_checkpoint(str(symmim_checkpoint), str(dst), teacher=True)
    model = det_backbone(dict(type='Pretrained', checkpoint=str(dst), prefix=None))
    model.init_weights()
    torch.testing.assert_close(model.layers[3].ffn.layers[1].weight,
                               source(symmim_checkpoint, TEACHER)['layers.3.ffn.layers.1.weight'])


def test_rel_pos_tables_may_be_missing(symmim_checkpoint):
    init_default_scope('mmdet')
    model = DET_MODELS.build(dict(
        type='SymMIMViTDet', arch=ARCH, img_size=128, patch_size=PATCH, window_size=3,
        global_indices=(1, 3), use_rel_pos=True,
        init_cfg=dict(type='Pretrained', checkpoint=str(symmim_checkpoint), prefix=ONLINE)))
    model.init_weights()
    assert model.layers[1].attn.rel_pos_w.abs().sum() > 0  # kept its random init


def test_mismatches_raise(tmp_path, symmim_checkpoint):
    state = torch.load(symmim_checkpoint, weights_only=True)['state_dict']
    state['backbone.layers.0.attn.extra'] = torch.zeros(1)
    del state['backbone.layers.1.ln2.bias']
    bad = tmp_path / 'bad.pth'
    torch.save({'state_dict': state}, bad)
    model = det_backbone(dict(type='Pretrained', checkpoint=str(bad), prefix=ONLINE))
    with pytest.raises(RuntimeError, match=r"missing \['layers.1.ln2.bias'\].*"
                                           r"unexpected \['layers.0.attn.extra'\]"):
        model.init_weights()
    with pytest.raises(KeyError, match='No weights under'):
        seg_backbone(dict(type='Pretrained', checkpoint=str(bad), prefix='encoder.')
                     ).init_weights()
    with pytest.raises(ValueError, match='init_cfg.checkpoint is empty'):
        seg_backbone(dict(type='Pretrained', checkpoint='', prefix=ONLINE)).init_weights()


def test_pickled_objects_are_refused(tmp_path):
    path = tmp_path / 'unsafe.pth'
    torch.save({'state_dict': {}, 'meta': {'obj': ROOT}}, path)  # a pathlib object
    with pytest.raises(ValueError, match='refused to load'):
        det_backbone(dict(type='Pretrained', checkpoint=str(path), prefix=ONLINE)
                     ).init_weights()


def test_encoder_state_dict_keeps_final_norm_on_request():
    state = {'backbone.ln1.weight': torch.ones(2), 'backbone.layers.0.ln1.weight': torch.ones(2),
             'backbone.mask_token': torch.zeros(1, 1, 2), 'head.w': torch.ones(1)}
    assert set(encoder_state_dict(state)) == {'layers.0.ln1.weight'}
    assert set(encoder_state_dict(state, final_norm=True)) == {'ln1.weight',
                                                               'layers.0.ln1.weight'}
