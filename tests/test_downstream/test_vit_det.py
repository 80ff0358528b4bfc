"""SymMIMViTDet (windowed ViT), ViTDetSimpleFPN and ViTDetLN2d."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.registry import MODELS
from mmpretrain.models import VisionTransformer

from symmim_mm.downstream.mmdet.window_attention import (window_partition,
                                                         window_unpartition)
from tests.test_downstream.conftest import ARCH


def build(**kwargs):
    cfg = dict(type='SymMIMViTDet', arch=ARCH, img_size=64, patch_size=8, window_size=3,
               global_indices=(1, 3), drop_path_rate=0.)
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    model.eval()
    return model


def test_parameter_names_are_mmpretrain_vit_names(mmdet_scope):
    ours = build()
    vit = VisionTransformer(arch=ARCH, img_size=64, patch_size=8, final_norm=False)
    assert set(ours.state_dict()) == set(vit.state_dict())
    assert not ours.cls_token.requires_grad  # loaded, never used


@pytest.mark.parametrize('size', [(64, 64), (80, 48), (72, 56)])
def test_output_is_one_stride_16_map(mmdet_scope, size):
    model = build(patch_size=16, use_rel_pos=True)
    out = model(torch.rand(2, 3, *size))
    grid = (-(-size[0] // 16), -(-size[1] // 16))  # patch embedding pads to whole patches
    assert len(out) == 1 and out[0].shape == (2, 32, *grid)
    assert torch.isfinite(out[0]).all()


def test_all_global_blocks_equal_a_plain_vit(mmdet_scope):
    """Windows aside, the blocks compute what MMPretrain's ViT computes (without the
    cls token), with the same weights."""
    ours = build(global_indices=range(4))
    vit = VisionTransformer(arch=ARCH, img_size=64, patch_size=8, final_norm=False,
                            with_cls_token=False, out_type='featmap')
    vit.eval()
    state = {k: v for k, v in ours.state_dict().items() if k != 'cls_token'}
    vit.load_state_dict(state, strict=True)  # pos_embed loses its cls position
    x = torch.rand(2, 3, 64, 80)  # another grid: pos_embed is resized in forward
    torch.testing.assert_close(ours(x)[0], vit(x)[0], rtol=1e-4, atol=1e-5)


def test_windowed_blocks_are_local(mmdet_scope):
    """With no global block, a change in one window leaves the others untouched."""
    model = build(window_size=4, global_indices=())
    x = torch.rand(1, 3, 64, 64)  # 8 x 8 grid, four 4 x 4 windows
    y = x.clone()
    y[..., :32, :32] += 1.  # top-left window
    a, b = model(x)[0], model(y)[0]
    assert not torch.allclose(a[..., :4, :4], b[..., :4, :4])
    torch.testing.assert_close(a[..., 4:, :], b[..., 4:, :])
    torch.testing.assert_close(a[..., :, 4:], b[..., :, 4:])
    with_global = build(window_size=4, global_indices=(3, ))
    a, b = with_global(x)[0], with_global(y)[0]
    assert not torch.allclose(a[..., 4:, 4:], b[..., 4:, 4:])


def test_window_partition_round_trip_with_padding():
    x = torch.rand(2, 7, 5, 4)
    windows, padded = window_partition(x, 3)
    assert windows.shape == (2 * 3 * 2, 3, 3, 4) and padded == (9, 6)
    assert windows[1, :, :2].eq(x[0, :3, 3:5]).all()  # second window of the first row
    torch.testing.assert_close(window_unpartition(windows, padded, (7, 5)), x)


def test_rel_pos_is_optional_and_starts_random(mmdet_scope):
    model = build(use_rel_pos=True)
    names = [n for n, _ in model.named_parameters() if 'rel_pos' in n]
    assert len(names) == 2 * 4
    assert model.layers[0].attn.rel_pos_h.shape == (2 * 3 - 1, 16)  # window 3, head dim 16
    assert model.layers[1].attn.rel_pos_h.shape == (2 * 8 - 1, 16)  # global: 8 x 8 grid
    assert model.layers[0].attn.rel_pos_h.std() > 0
    assert not any('rel_pos' in n for n in build().state_dict())


def test_layer_depth_like_mmpretrain(mmdet_scope):
    model = build(use_rel_pos=True)
    assert model.get_layer_depth('backbone.pos_embed', 'backbone.') == (0, 6)
    assert model.get_layer_depth('backbone.patch_embed.projection.weight', 'backbone.') == (0, 6)
    assert model.get_layer_depth('backbone.layers.2.attn.rel_pos_h', 'backbone.') == (3, 6)
    assert model.get_layer_depth('neck.lateral_convs.0.conv.weight', 'backbone.') == (5, 6)


def test_frozen_stages(mmdet_scope):
    model = build(frozen_stages=2)
    assert not model.patch_embed.projection.weight.requires_grad
    assert not any(p.requires_grad for p in model.layers[1].parameters())
    assert all(p.requires_grad for p in model.layers[2].parameters())


def test_bad_global_indices(mmdet_scope):
    with pytest.raises(ValueError, match='global_indices'):
        build(global_indices=(4, ))


def test_simple_fpn_levels(mmdet_scope):
    neck = MODELS.build(dict(type='ViTDetSimpleFPN', backbone_channel=32,
                             in_channels=[8, 16, 32, 32], out_channels=16, num_outs=5,
                             norm_cfg=dict(type='ViTDetLN2d', eps=1e-6)))
    neck.init_weights()
    outs = neck((torch.rand(2, 32, 8, 6), ))
    assert [tuple(o.shape) for o in outs] == [(2, 16, 32, 24), (2, 16, 16, 12), (2, 16, 8, 6),
                                              (2, 16, 4, 3), (2, 16, 2, 2)]
    assert type(neck.lateral_convs[0].norm).__name__ == 'ViTDetLN2d'
    with pytest.raises(ValueError, match='in_channels'):
        MODELS.build(dict(type='ViTDetSimpleFPN', backbone_channel=32,
                          in_channels=[32, 32, 32, 32], out_channels=16))


def test_ln2d_normalises_channels(mmdet_scope):
    norm = MODELS.build(dict(type='ViTDetLN2d', num_channels=6))
    with torch.no_grad():
        norm.weight.uniform_()
        norm.bias.uniform_()
    x = torch.randn(2, 6, 3, 5)
    expected = F.layer_norm(x.permute(0, 2, 3, 1), (6, ), norm.weight, norm.bias, 1e-6)
    torch.testing.assert_close(norm(x), expected.permute(0, 3, 1, 2))
