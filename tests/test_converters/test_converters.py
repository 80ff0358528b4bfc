"""symmim_convert.py: each target's own loader takes the file strictly, features equal."""
import pytest
import timm
import torch
from mmpretrain.models import VisionTransformer
from mmpretrain.registry import MODELS
from safetensors import safe_open

from symmim_mm.utils import convert_checkpoint
from tests.conftest import CKPT_ARCH, CKPT_BACKBONE, ONLINE, TEACHER, run_script, run_tool

TIMM = dict(
    model_name='vit_base_patch16_224',
    img_size=64,
    patch_size=16,
    embed_dim=CKPT_ARCH['embed_dims'],
    depth=CKPT_ARCH['num_layers'],
    num_heads=CKPT_ARCH['num_heads'],
    mlp_ratio=2.,
    num_classes=0)


def our_encoder(checkpoint, prefix):
    """The checkpoint's encoder as SymMIM builds it (eval mode)."""
    encoder = MODELS.build(CKPT_BACKBONE)
    state = torch.load(checkpoint, weights_only=True)['state_dict']
    encoder.load_state_dict({
        k[len(prefix):]: v
        for k, v in state.items() if k.startswith(prefix)
    },
                            strict=True)
    encoder.eval()
    return encoder


def assert_same_features(model, encoder):
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(model(x), encoder(x)[0], atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('suffix', ['.safetensors', '.pth'])
@pytest.mark.parametrize('teacher', [False, True])
def test_timm_loads_it_with_its_own_functions(symmim_checkpoint, tmp_path, suffix, teacher):
    dst = str(tmp_path / f'vit{suffix}')
    convert_checkpoint(str(symmim_checkpoint), dst, 'timm', teacher)
    encoder = our_encoder(symmim_checkpoint, TEACHER if teacher else ONLINE)

    model = timm.create_model(pretrained=False, **TIMM)
    timm.models.load_checkpoint(model, dst, strict=True)
    assert_same_features(model.eval().forward_features, encoder)
    model = timm.create_model(pretrained=True, pretrained_cfg_overlay=dict(file=dst), **TIMM)
    assert_same_features(model.eval().forward_features, encoder)


def test_mmpretrain_vit_loads_it_strictly(symmim_checkpoint, tmp_path):
    dst = str(tmp_path / 'vit.pth')
    state = convert_checkpoint(str(symmim_checkpoint), dst, 'mmpretrain', teacher=True)
    assert set(torch.load(dst, weights_only=True)) == set(state)  # tensors only, flat
    vit = VisionTransformer(arch=CKPT_ARCH, img_size=64, patch_size=16, out_type='raw')
    vit.load_state_dict(state, strict=True)
    vit.eval()
    assert_same_features(lambda x: vit(x)[0], our_encoder(symmim_checkpoint, TEACHER))


@pytest.mark.slow
def test_command_line_writes_safetensors_with_metadata(symmim_checkpoint, tmp_path):
    dst = tmp_path / 'vit.safetensors'
    out = run_tool([
        'tools/model_converters/symmim_convert.py', symmim_checkpoint, dst, '--to', 'timm',
        '--teacher'
    ]).stdout
    assert out.strip() == (f"{dst}: {4 + 12 * CKPT_ARCH['num_layers'] + 2} tensors of the "
                           "momentum encoder, for timm's VisionTransformer")
    with safe_open(str(dst), 'pt') as f:
        assert f.metadata() == dict(
            format='pt', source='symmim_tiny.pth', target='timm', encoder='momentum')
        assert 'blocks.0.attn.qkv.weight' in f.keys() and 'mask_token' not in f.keys()


def test_a_backbone_only_file_converts_again(symmim_checkpoint, tmp_path, monkeypatch):
    first = tmp_path / 'vit.safetensors'
    run_script(monkeypatch, 'tools/model_converters/symmim_convert.py', symmim_checkpoint, first,
               '--to', 'mmpretrain')
    again = convert_checkpoint(str(first), str(tmp_path / 'timm.pth'), 'timm')
    assert 'blocks.3.mlp.fc2.weight' in again and 'norm.weight' in again
    with pytest.raises(ValueError, match="unknown target 'mmcls'"):
        convert_checkpoint(str(first), str(tmp_path / 'x.pth'), 'mmcls')
    with pytest.raises(KeyError, match="No weights under 'momentum_encoder.module.0.'"):
        convert_checkpoint(str(first), str(tmp_path / 'x.pth'), 'timm', teacher=True)
