"""vis_reconstruction: original, masked input, reconstruction and both pasted together."""
import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

from symmim_mm.visualization import (digits_sample, load_symmim, plot_reconstruction, reconstruct,
                                     upsample_mask)
from tests.conftest import ROOT, run_script, save_symmim_checkpoint
from tests.test_robustness.runs import CONFIG

# The quickstart's encoder of the visible half with MAE's token decoder, and the literal
# path: mask tokens in place, the linear decoder.
IN_PLACE = dict(
    online_drop_masked=False,
    momentum_drop_masked=False,
    two_views=False,
    neck=dict(type='SymMIMLinearDecoder', in_channels=96, encoder_stride=4))


@pytest.fixture(scope='module', params=['visible', 'in-place'])
def tiny(tmp_path_factory, request):
    """The quickstart config with a 1-block encoder, and a checkpoint of it."""
    root = tmp_path_factory.mktemp('rec')
    cfg = Config.fromfile(str(ROOT / CONFIG))
    cfg.model.backbone.arch.num_layers = 1
    if request.param == 'in-place':
        for key, value in IN_PLACE.items():  # replace the sub-module dicts, not merge
            cfg.model[key] = value
    config = root / 'tiny.py'
    cfg.dump(str(config))
    return config, save_symmim_checkpoint(
        dict(cfg.model, data_preprocessor=cfg.data_preprocessor), root / 'tiny.pth')


def test_panels(tiny):
    model, generator = load_symmim(str(tiny[0]), str(tiny[1]))
    image = digits_sample(7, 32, 'test')
    pictures = reconstruct(model, image, generator)
    for name in ('original', 'masked', 'reconstruction', 'pasted'):
        assert pictures[name].shape == (32, 32, 3) and pictures[name].dtype == np.uint8, name
    assert np.abs(pictures['original'].astype(int) - image).max() <= 1  # normalised and back
    masked = upsample_mask(pictures['mask'], (32, 32)).astype(bool)
    assert masked.mean() == 0.5
    np.testing.assert_array_equal(pictures['pasted'][~masked], pictures['original'][~masked])
    np.testing.assert_array_equal(pictures['pasted'][masked], pictures['reconstruction'][masked])
    assert (pictures['masked'][masked] == 128).all()
    np.testing.assert_array_equal(pictures['masked'][~masked], pictures['original'][~masked])
    assert np.isfinite(pictures['l1']) and pictures['l1'] > 0

    fig = plot_reconstruction(pictures, 'digit 7')
    assert [ax.get_title().split(' (')[0] for ax in fig.axes
            ] == ['original', 'online input', 'reconstruction', 'visible + reconstruction']


def test_reconstruction_is_that_of_the_loss(tiny):
    """Its masked L1 is the model's loss_rec on the same image and mask."""
    model, generator = load_symmim(str(tiny[0]), str(tiny[1]))
    image = digits_sample(1, 32, 'test')
    pictures = reconstruct(model, image, generator)
    from mmpretrain.structures import DataSample
    sample = DataSample()
    sample.set_mask(torch.from_numpy(generator.online_mask))
    sample.set_field(torch.from_numpy(generator.block_mask), 'momentum_mask')
    data = model.data_preprocessor(
        dict(
            inputs=torch.from_numpy(np.ascontiguousarray(image[..., ::-1])).permute(2, 0, 1)[None],
            data_samples=[sample]), False)
    mask = torch.from_numpy(generator.online_mask)[None]
    with torch.no_grad():
        tokens = model.backbone(data['inputs'], mask, drop_masked=model.online_drop_masked)[0]
        loss = model.reconstruction_loss(tokens, data['inputs'], mask)
    assert pictures['l1'] == pytest.approx(float(loss), rel=1e-5)


def test_script_writes_the_png(tiny, tmp_path, monkeypatch, capsys):
    out = tmp_path / 'rec.png'
    run_script(monkeypatch, 'tools/visualization/vis_reconstruction.py', tiny[0], tiny[1],
               '--index', '2', '--out', out)
    with Image.open(out) as png:
        assert png.size == (1000, 310)  # four 2.5-inch panels at 100 dpi
    assert 'masked L1' in capsys.readouterr().out
