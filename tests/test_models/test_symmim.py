import math

import pytest
import torch
from mmpretrain.models import VisionTransformer
from mmpretrain.registry import MODELS, TRANSFORMS
from mmpretrain.structures import DataSample

from symmim_mm.datasets.config_check import ConfigError, _check_arguments
from symmim_mm.models import SymMIM
from tests.conftest import TINY_ARCH, moco_heads


def build_model(**kwargs):
    cfg = dict(
        type='SymMIM',
        backbone=dict(type='SymMIMViT', arch=TINY_ARCH, img_size=32, patch_size=4, out_type='raw'),
        **moco_heads(hidden=64, out=16),
        data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[0.5] * 3, std=[0.5] * 3))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def batch(model, n=4, views=1, **mask_kwargs):
    gen = TRANSFORMS.build(
        dict(
            type='SymmetricMaskGenerator',
            input_size=32,
            patch_size=4,
            block_size=8,
            **mask_kwargs))
    samples = []
    for _ in range(n):
        r = gen.transform({})
        sample = DataSample().set_mask(r['mask'])
        sample.set_field(r['momentum_mask'], 'momentum_mask')
        samples.append(sample)
    inputs = torch.rand(n, 3, 32, 32)
    inputs = [inputs, torch.rand(n, 3, 32, 32)] if views == 2 else inputs
    return model.data_preprocessor(dict(inputs=inputs, data_samples=samples))


def test_loss_keys_finite_and_gradients(message_hub):
    model = build_model()
    losses = model(**batch(model), mode='loss')
    assert set(losses) == {'loss_rec', 'loss_con'}
    assert all(torch.isfinite(v) and v.item() > 0 for v in losses.values())
    sum(losses.values()).backward()
    online = dict(model.backbone.named_parameters())
    assert online['mask_token'].grad is not None and online['mask_token'].grad.abs().sum() > 0
    assert all(p.grad is not None for n, p in online.items()), 'online encoder lacks grads'
    assert all(p.grad is not None for p in model.projector.parameters())
    momentum = list(model.momentum_encoder.parameters())
    assert momentum and all(p.grad is None and not p.requires_grad for p in momentum)


PATCH_HEAD = dict(
    type='SymMIMPatchContrastHead',
    predictor=dict(
        type='NonLinearNeck',
        in_channels=16,
        hid_channels=64,
        out_channels=16,
        num_layers=2,
        with_avg_pool=False,
        norm_cfg=dict(type='BN1d')))
L2_NORM_PIX = dict(
    type='MAEPretrainHead',
    patch_size=4,
    norm_pix=True,
    loss=dict(type='PixelReconstructionLoss', criterion='L2'))


@pytest.mark.parametrize('kwargs', [
    dict(contrast_head=PATCH_HEAD),
    dict(head=L2_NORM_PIX),
    dict(two_views=True),
])
def test_options(message_hub, kwargs):
    model = build_model(**kwargs)
    losses = model(**batch(model, views=2 if kwargs.get('two_views') else 1), mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
    assert losses['loss_con'] > 0


def test_defaults_are_moco_v3_and_simmim_l1():
    model = MODELS.build(
        dict(
            type='SymMIM',
            backbone=dict(
                type='SymMIMViT', arch=TINY_ARCH, img_size=32, patch_size=4, out_type='raw')))
    assert model.contrast_level == 'global' and model.contrast_head.temperature == 0.2
    assert model.contrast_head.loss_module.loss_weight == pytest.approx(0.4)  # x 2τ
    assert model.projector.fc0.in_features == TINY_ARCH['embed_dims']  # from the encoder
    assert type(model.neck).__name__ == 'SymMIMLinearDecoder'
    assert isinstance(model.head.loss_module.penalty, torch.nn.L1Loss) and not model.head.norm_pix
    patch = build_model(contrast_head=dict(PATCH_HEAD, temperature=0.5))
    assert patch.contrast_level == 'patch' and patch.contrast_head.temperature == 0.5


@pytest.mark.parametrize('name', list(SymMIM.moved_arguments))
def test_moved_arguments_name_their_replacement(name):
    """Settings that live in a sub-module dict are refused at the top level: the
    constructor does not know them, and the config check names the key that holds them
    now. Nothing is silently ignored."""
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{name}'"):
        build_model(**{name: 1})
    cfg = dict(type='SymMIM', backbone=dict(type='SymMIMViT'), **{name: 1})
    with pytest.raises(
            ConfigError,
            match=rf"model\.{name}: SymMIM no longer takes "
            rf"'{name}': set (head|projector|contrast_head)"):
        _check_arguments(MODELS, cfg, 'model')


def test_con_weight_scales_the_contrast(message_hub):
    torch.manual_seed(0)
    data = batch(build_model())
    losses = {}
    for weight in (1., 0.25):
        torch.manual_seed(1)
        losses[weight] = build_model(con_weight=weight)(**data, mode='loss')
    torch.testing.assert_close(losses[0.25]['loss_con'], 0.25 * losses[1.]['loss_con'])
    torch.testing.assert_close(losses[0.25]['loss_rec'], losses[1.]['loss_rec'])
    assert losses[1.]['loss_con'] > 0


def test_con_weight_zero_builds_no_momentum_branch(message_hub):
    torch.manual_seed(0)
    model = build_model(con_weight=0.)
    losses = model(**batch(model), mode='loss')
    assert losses['loss_con'].item() == 0.
    # no momentum branch at all: every parameter gets a gradient (DDP needs nothing more)
    assert model.momentum_encoder is None and model.projector is None
    assert model.contrast_head is None
    losses['loss_rec'].backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)
    with pytest.raises(ValueError, match='con_weight'):
        build_model(con_weight=-1.)


def test_missing_momentum_mask_is_a_clear_error(message_hub):
    model = build_model()
    data = batch(model)
    for ds in data['data_samples']:
        del ds.momentum_mask
    with pytest.raises(KeyError, match='momentum_mask'):
        model(**data, mode='loss')


def test_momentum_encoder_follows_cosine_schedule(message_hub):
    max_iters = message_hub.get_info('max_iters')
    model = build_model(base_momentum=0.01)
    optim = torch.optim.SGD(model.parameters(), lr=0.5)
    online = model.backbone.patch_embed.projection.weight
    ema = model.momentum_encoder.module[0].patch_embed.projection.weight
    expected = None
    for step in range(3):
        before = online.detach().clone()
        losses = model(**batch(model), mode='loss')
        if step == 0:
            expected = before.clone()  # first update copies the online weights
        else:
            m = 0.01 * (math.cos(math.pi * step / max_iters) + 1) / 2  # 1 - momentum
            expected = expected * (1 - m) + before * m
        torch.testing.assert_close(ema.detach(), expected)
        optim.zero_grad()
        sum(losses.values()).backward()
        optim.step()
    assert not torch.allclose(ema, online)


def test_extract_feat_is_the_unmasked_encoder():
    """Features = a plain MMPretrain ViT with the online weights (no mask token), and not
    what the encoder gives under a mask."""
    model = build_model()
    model.eval()
    vit = VisionTransformer(arch=TINY_ARCH, img_size=32, patch_size=4, out_type='raw')
    vit.load_state_dict({
        k: v
        for k, v in model.backbone.state_dict().items() if k != 'mask_token'
    },
                        strict=True)
    vit.eval()
    x = torch.rand(2, 3, 32, 32)
    features = model.extract_feat(x)[0]
    torch.testing.assert_close(features, vit(x)[0])
    torch.testing.assert_close(model(x, mode='tensor')[0], features)
    masked = model.backbone(x, batch(model, n=2)['data_samples'][0].mask[None].repeat(2, 1, 1))
    assert not torch.allclose(masked[0], features)


def test_momentum_drop_masked_fast_path(message_hub):
    model = build_model(momentum_drop_masked=True)
    seen = []
    encoder = model.momentum_encoder.module[0]
    encoder.register_forward_hook(
        lambda m, args, kwargs, out: seen.append(
            (kwargs.get('drop_masked', False), out[0].shape[1])),
        with_kwargs=True)
    losses = model(**batch(model), mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
    assert seen[-1] == (True, 1 + 32)  # 64 patches, M2 masks 32
    # phase flips give uneven counts on an odd block grid: the literal path is taken
    flipped = build_model(momentum_drop_masked=True)
    flipped.momentum_encoder.module[0].register_forward_hook(
        lambda m, args, kwargs, out: seen.append(out[0].shape[1]), with_kwargs=True)
    data = batch(flipped)
    data['data_samples'][0].momentum_mask[0, 0] ^= 1
    flipped(**data, mode='loss')
    assert seen[-1] == 1 + 64
    with pytest.raises(ValueError, match='momentum_drop_masked'):
        build_model(momentum_drop_masked=True, contrast_head=PATCH_HEAD)


MAE_DECODER = dict(
    type='MAEPretrainDecoder',
    num_patches=64,
    patch_size=4,
    in_chans=3,
    embed_dim=32,
    decoder_embed_dim=16,
    decoder_depth=1,
    decoder_num_heads=2)
MAE_HEAD = dict(
    type='MAEPretrainHead',
    patch_size=4,
    norm_pix=True,
    loss=dict(type='PixelReconstructionLoss', criterion='L2'))


def test_mae_decoder_predicts_every_patch_in_place(message_hub):
    model = build_model(neck=MAE_DECODER, head=dict(MAE_HEAD, norm_pix=False))
    data = batch(model, n=2)
    mask = torch.stack([s.mask for s in data['data_samples']])  # (2, 8, 8)
    tokens = model.backbone(data['inputs'], mask)[0]  # (2, 65, 32)
    pixels = model.decode(tokens, mask)
    assert pixels.shape == (2, 64, 4 * 4 * 3)
    loss = model.reconstruction_loss(tokens, data['inputs'], mask)
    assert loss == model.head.loss(pixels, data['inputs'], mask.flatten(1))
    # only masked patches count: a change of the prediction at a visible patch is free
    visible = (mask.flatten(1)[0] == 0).nonzero()[0, 0]
    moved = pixels.clone()
    moved[0, visible] += 1
    assert model.head.loss(moved, data['inputs'], mask.flatten(1)) == loss
    losses = model(**data, mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())


def test_online_drop_masked_encodes_the_visible_half(message_hub):
    model = build_model(
        online_drop_masked=True, momentum_drop_masked=True, neck=MAE_DECODER, head=MAE_HEAD)
    lengths = []
    model.backbone.register_forward_hook(
        lambda m, args, kwargs, out: lengths.append(out[0].shape[1]), with_kwargs=True)
    data = batch(model, n=3)
    losses = model(**data, mode='loss')
    assert all(torch.isfinite(v) and v > 0 for v in losses.values())
    assert lengths == [1 + 32]  # CLS + the 32 patches M1 leaves visible
    sum(losses.values()).backward()
    assert model.backbone.layers[0].attn.qkv.weight.grad.abs().sum() > 0
    # every trainable parameter gets a gradient, as DDP without find_unused_parameters
    # needs: the mask token, which the online encoder never sees, is frozen
    unused = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    assert unused == [] and not model.backbone.mask_token.requires_grad
    # the same as encoding CLS and the visible patches alone, in raster order
    mask = torch.stack([s.mask for s in data['data_samples']])
    model.eval()
    tokens = model.backbone(data['inputs'], mask, drop_masked=True)[0]
    keep = (mask[0].flatten() == 0).nonzero()[:, 0]
    patches, _ = model.backbone.patch_embed(data['inputs'])
    pos = model.backbone.pos_embed[:, 1:][:, keep]
    x = torch.cat([
        model.backbone.cls_token.expand(3, -1, -1) + model.backbone.pos_embed[:, :1],
        patches[:, keep] + pos
    ],
                  dim=1)
    for layer in model.backbone.layers:
        x = layer(x)
    torch.testing.assert_close(tokens, model.backbone.ln1(x))


def test_online_drop_masked_decoder_restores_the_grid(message_hub):
    """The decoder gets the visible tokens back at their own positions: a prediction
    moved at a visible patch leaves the loss unchanged, one at a masked patch does not."""
    model = build_model(online_drop_masked=True, neck=MAE_DECODER, head=MAE_HEAD)
    data = batch(model, n=2)
    mask = torch.stack([s.mask for s in data['data_samples']])
    tokens = model.backbone(data['inputs'], mask, drop_masked=True)[0]  # (2, 33, 32)
    pixels = model.decode(tokens, mask)
    assert pixels.shape == (2, 64, 48)
    loss = model.reconstruction_loss(tokens, data['inputs'], mask)
    flat = mask.flatten(1)
    for patch, changes in (((flat[0] == 0).nonzero()[0, 0], False),
                           ((flat[0] == 1).nonzero()[0, 0], True)):
        moved = pixels.clone()
        moved[0, patch] += 1
        assert (model.head.loss(moved, data['inputs'], flat) != loss) == changes


def test_online_drop_masked_needs_a_decoder_that_restores(message_hub):
    model = build_model(online_drop_masked=True)  # the linear decoder: no holes to fill
    with pytest.raises(ValueError, match='SymMIMLinearDecoder needs a token at each'):
        model(**batch(model), mode='loss')
    with pytest.raises(ValueError, match='online_drop_masked'):
        build_model(
            online_drop_masked=True, neck=MAE_DECODER, head=MAE_HEAD, contrast_head=PATCH_HEAD)


def test_linear_decoder_is_simmims_in_maes_patch_order():
    """SymMIMLinearDecoder = SimMIMLinearDecoder's image, patchified as MAEPretrainHead
    does: the same weights give the same pixels, and unpatchify gives the image back."""
    decoder = MODELS.build(dict(type='SymMIMLinearDecoder', in_channels=32, encoder_stride=4))
    simmim = MODELS.build(dict(type='SimMIMLinearDecoder', in_channels=32, encoder_stride=4))
    simmim.load_state_dict(decoder.state_dict(), strict=True)
    head = MODELS.build(
        dict(
            type='MAEPretrainHead',
            patch_size=4,
            loss=dict(type='PixelReconstructionLoss', criterion='L1')))
    tokens = torch.randn(2, 1 + 64, 32)
    pixels = decoder(tokens, torch.arange(64).expand(2, 64))  # (2, 64, 48)
    image = simmim(tokens[:, 1:].transpose(1, 2).reshape(2, 32, 8, 8))  # (2, 3, 32, 32)
    torch.testing.assert_close(pixels, head.patchify(image))
    torch.testing.assert_close(head.unpatchify(pixels), image)


def test_momentum_input_full_sees_the_whole_image(message_hub):
    model = build_model(momentum_input='full')
    seen = []
    model.momentum_encoder.module[0].register_forward_hook(
        lambda m, args, kwargs, out: seen.append(args[1] if len(args) > 1 else None),
        with_kwargs=True)
    model(**batch(model), mode='loss')
    assert seen == [None]
    with pytest.raises(ValueError, match='momentum_input'):
        build_model(momentum_input='half')
