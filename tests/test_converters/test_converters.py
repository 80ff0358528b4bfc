"""extract_backbone.py and symmim_to_timm.py, proven by strict loads and equal features."""
import subprocess
import sys
from pathlib import Path

import pytest
import timm
import torch
from mmpretrain.models import VisionTransformer
from mmpretrain.registry import MODELS

from tests.conftest import TINY_ARCH

ROOT = Path(__file__).parents[2]


@pytest.fixture
def symmim_checkpoint(tmp_path):
    """A Runner-style checkpoint of a tiny SymMIM whose two encoders differ."""
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='SymMIM', proj_hidden=32, proj_out=8,
        backbone=dict(type='SymMIMViT', arch=TINY_ARCH, img_size=32, patch_size=8,
                      out_type='raw')))
    model.init_weights()
    model.momentum_encoder.update_parameters(torch.nn.Sequential(model.backbone,
                                                                 model.projector))
    with torch.no_grad():
        for p in model.momentum_encoder.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    path = tmp_path / 'symmim.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {'epoch': 1}}, path)
    return path, model


def convert(script, src, dst, *flags):
    proc = subprocess.run([sys.executable, f'tools/model_converters/{script}', str(src),
                           str(dst), *flags], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return torch.load(dst, weights_only=True)


@pytest.mark.parametrize('teacher', [False, True])
def test_extract_backbone_loads_strictly(symmim_checkpoint, tmp_path, teacher):
    src, model = symmim_checkpoint
    out = convert('extract_backbone.py', src, tmp_path / 'b.pth', *(['--teacher'] * teacher))
    vit = VisionTransformer(arch=TINY_ARCH, img_size=32, patch_size=8)
    vit.load_state_dict(out['state_dict'], strict=True)
    encoder = model.momentum_encoder.module[0] if teacher else model.backbone
    torch.testing.assert_close(vit.patch_embed.projection.weight,
                               encoder.patch_embed.projection.weight)


@pytest.mark.parametrize('teacher', [False, True])
def test_timm_conversion_gives_identical_features(symmim_checkpoint, tmp_path, teacher):
    src, model = symmim_checkpoint
    out = convert('symmim_to_timm.py', src, tmp_path / 't.pth', *(['--teacher'] * teacher))
    vit = timm.create_model('vit_base_patch16_224', pretrained=False, img_size=32,
                            patch_size=8, embed_dim=32, depth=2, num_heads=2, mlp_ratio=2.,
                            num_classes=0)
    vit.load_state_dict(out['model'], strict=True)
    encoder = model.momentum_encoder.module[0] if teacher else model.backbone
    encoder.eval()
    vit.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(vit.forward_features(x), encoder(x)[0], atol=1e-5,
                                   rtol=1e-4)


def test_pickled_objects_are_refused(tmp_path):
    src = tmp_path / 'evil.pth'
    torch.save({'state_dict': {'backbone.x': torch.ones(1)}, 'obj': Path('.')}, src)
    proc = subprocess.run([sys.executable, 'tools/model_converters/extract_backbone.py',
                           str(src), str(tmp_path / 'o.pth')], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode != 0 and 'refused to load' in proc.stderr
    assert not (tmp_path / 'o.pth').exists()
