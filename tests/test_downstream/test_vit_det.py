"""SymMIMViTDet (MMPretrain's ViTSAM with ViTDet's block) and ViTDetSimpleFPN."""
import pytest
import torch
from mmdet.registry import MODELS
from mmpretrain.models import VisionTransformer, ViTSAM

from symmim_mm.downstream.mmdet.vit_det_blocks import SDPAAttention, ViTDetBlock
from tests.conftest import CKPT_ARCH as ARCH


def build(**kwargs):
    cfg = dict(
        type='SymMIMViTDet',
        arch=ARCH,
        img_size=64,
        patch_size=8,
        window_size=3,
        global_indices=(1, 3),
        drop_path_rate=0.)
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    model.eval()
    return model


def test_it_is_vitsam_without_the_neck(mmdet_scope):
    ours = build(use_rel_pos=True)
    assert isinstance(ours, ViTSAM) and not hasattr(ours, 'channel_reduction')
    assert [type(layer) for layer in ours.layers] == [ViTDetBlock] * 4
    assert all(type(layer.attn) is SDPAAttention for layer in ours.layers)
    assert [layer.window_size for layer in ours.layers] == [3, 0, 3, 0]
    sam = ViTSAM(
        arch=dict(ARCH, global_attn_indexes=[1, 3]),
        img_size=64,
        patch_size=8,
        window_size=3,
        out_channels=0,
        use_rel_pos=True)
    assert {
        k: v.shape
        for k, v in ours.state_dict().items()
    } == {
        k: v.shape
        for k, v in sam.state_dict().items()
    }


def test_same_maps_as_vitsam_with_the_same_weights(mmdet_scope):
    """SDPA attention with decomposed relative positions computes what ViTSAM does."""
    ours = build(use_rel_pos=True)
    with torch.no_grad():
        for name, param in ours.named_parameters():
            if 'rel_pos' in name:
                param.normal_()
    sam = ViTSAM(
        arch=dict(ARCH, global_attn_indexes=[1, 3]),
        img_size=64,
        patch_size=8,
        window_size=3,
        out_channels=0,
        use_rel_pos=True,
        out_type='featmap')
    sam.load_state_dict(ours.state_dict(), strict=True)
    sam.eval()
    x = torch.rand(2, 3, 80, 56)  # another grid, partial windows
    torch.testing.assert_close(ours(x)[0], sam(x)[0], rtol=1e-4, atol=1e-5)


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
    vit = VisionTransformer(
        arch=ARCH,
        img_size=64,
        patch_size=8,
        final_norm=False,
        with_cls_token=False,
        out_type='featmap')
    vit.eval()
    state = ours.state_dict()
    state['pos_embed'] = state['pos_embed'].flatten(1, 2)  # (1, h, w, C) -> (1, hw, C)
    vit.load_state_dict(state, strict=True)
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


def test_stochastic_depth_also_drops_the_attention_branch(mmdet_scope):
    """ViTDet's block: with the MLP branch silenced, a sample whose attention branch is
    dropped comes out unchanged (ViTSAM's block never drops that branch)."""
    torch.manual_seed(0)
    block = build(drop_path_rate=1.5).layers[1]  # drop probability 1.5 / 3
    with torch.no_grad():
        block.ffn.layers[1].weight.zero_()
        block.ffn.layers[1].bias.zero_()
    block.train()
    x = torch.randn(64, 8, 8, 32)  # a global block's input
    unchanged = (block(x) == x).flatten(1).all(1)
    assert 0 < int(unchanged.sum()) < 64


def test_rel_pos_tables_are_optional_and_start_at_zero(mmdet_scope):
    model = build(use_rel_pos=True)
    names = [n for n, _ in model.named_parameters() if 'rel_pos' in n]
    assert len(names) == 2 * 4
    assert model.layers[0].attn.rel_pos_h.shape == (2 * 3 - 1, 16)  # window 3, head dim 16
    assert model.layers[1].attn.rel_pos_h.shape == (2 * 8 - 1, 16)  # global: 8 x 8 grid
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
    assert not model.pos_embed.requires_grad
    assert not any(p.requires_grad for p in model.layers[1].parameters())
    assert all(p.requires_grad for p in model.layers[2].parameters())


def test_bad_arguments(mmdet_scope):
    with pytest.raises(ValueError, match=r'global_indices \[4\] out of range for 4 blocks'):
        build(global_indices=(4, ))
    with pytest.raises(ValueError, match="arch 'tiny' is not one of"):
        build(arch='tiny')


def test_simple_fpn_levels(mmdet_scope):
    neck = MODELS.build(
        dict(
            type='ViTDetSimpleFPN',
            backbone_channel=32,
            in_channels=[8, 16, 32, 32],
            out_channels=16,
            num_outs=5,
            norm_cfg=dict(type='mmpretrain.LN2d', eps=1e-6)))
    neck.init_weights()
    outs = neck((torch.rand(2, 32, 8, 6), ))
    assert [tuple(o.shape) for o in outs] == [(2, 16, 32, 24), (2, 16, 16, 12), (2, 16, 8, 6),
                                              (2, 16, 4, 3), (2, 16, 2, 2)]
    with pytest.raises(ValueError, match='in_channels'):
        MODELS.build(
            dict(
                type='ViTDetSimpleFPN',
                backbone_channel=32,
                in_channels=[32, 32, 32, 32],
                out_channels=16))
