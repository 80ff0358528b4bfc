import torch
from mmpretrain.models import VisionTransformer

from symmim_mm.models import SymMIMViT
from tests.conftest import TINY_ARCH


def build(**kwargs):
    model = SymMIMViT(arch=TINY_ARCH, img_size=32, patch_size=8, **kwargs)
    model.init_weights()
    model.eval()  # no dropout; BaseBackbone.eval() returns None
    return model


def test_output_shapes():
    model = build(out_type='raw')
    x = torch.randn(2, 3, 32, 32)
    mask = torch.zeros(2, 4, 4)
    mask[:, ::2] = 1
    assert model(x, mask)[0].shape == (2, 17, 32)
    assert model(x)[0].shape == (2, 17, 32)
    assert build(out_type='featmap')(x, mask)[0].shape == (2, 32, 4, 4)
    # non-square input
    assert model(torch.randn(1, 3, 32, 48), torch.ones(1, 4, 6))[0].shape == (1, 25, 32)


def test_mask_replaces_tokens_in_place():
    model = build(out_type='raw')
    x = torch.randn(1, 3, 32, 32)
    assert torch.allclose(model(x, torch.zeros(1, 4, 4))[0], model(x)[0])
    full = model(x, torch.ones(1, 4, 4))[0]
    other = model(torch.randn(1, 3, 32, 32), torch.ones(1, 4, 4))[0]
    assert torch.allclose(full, other, atol=1e-5)  # every patch masked: input is ignored
    assert not torch.allclose(full, model(x)[0])


def test_plain_vit_and_strict_load():
    model = build(out_type='cls_token')
    vit = VisionTransformer(arch=TINY_ARCH, img_size=32, patch_size=8)
    vit.eval()
    state = {k: v for k, v in model.state_dict().items() if k != 'mask_token'}
    assert set(model.state_dict()) - set(state) == {'mask_token'}
    vit.load_state_dict(state, strict=True)
    x = torch.randn(2, 3, 32, 32)
    assert torch.allclose(vit(x)[0], model(x)[0], atol=1e-6)


def test_drop_masked_encodes_visible_tokens_only():
    model = build(out_type='raw')
    x = torch.randn(2, 3, 32, 32)
    torch.testing.assert_close(model(x, torch.zeros(2, 4, 4), drop_masked=True)[0], model(x)[0])
    mask = torch.zeros(2, 4, 4)
    mask[:, :, 1::2] = 1  # 8 of 16 patches masked
    out = model(x, mask, drop_masked=True)[0]
    assert out.shape == (2, 9, 32)
    # changing a masked patch's pixels changes nothing
    y = x.clone()
    y[:, :, :, 8:16] = 0
    torch.testing.assert_close(model(y, mask, drop_masked=True)[0], out)
    uneven = mask.clone()
    uneven[0, 0, 0] = 1
    import pytest
    with pytest.raises(ValueError, match='same number'):
        model(x, uneven, drop_masked=True)


def test_sincos_pos_embed_is_fixed_and_saved():
    from mmpretrain.models.utils import build_2d_sincos_position_embedding
    model = build(out_type='raw', sincos_pos_embed=True)
    expected = build_2d_sincos_position_embedding((4, 4), 32, cls_token=True)
    assert torch.allclose(model.pos_embed, expected)
    assert not model.pos_embed.requires_grad
    assert 'pos_embed' in model.state_dict()  # loadable downstream like a learned one
    learned = build(out_type='raw')
    assert learned.pos_embed.requires_grad and not torch.allclose(learned.pos_embed, expected)


def test_encoder_forward_compiles_without_graph_breaks():
    """MMPretrain's drop-path schedule hands numpy floats to every block; as Python
    floats they no longer break torch.compile's graph (one break per block before)."""
    import torch._dynamo
    model = SymMIMViT(
        arch=TINY_ARCH, img_size=32, patch_size=8, out_type='raw', drop_path_rate=0.1)
    model.init_weights()
    model.train()
    mask = torch.zeros(2, 4, 4)
    mask[:, ::2] = 1
    explained = torch._dynamo.explain(model)(torch.randn(2, 3, 32, 32), mask)
    assert explained.graph_break_count == 0, explained.break_reasons
    assert explained.graph_count == 1
