"""vis_masks: the image, M1 and M2 drawn over it, as a PNG."""
import numpy as np
from PIL import Image

from symmim_mm.datasets import SymmetricMaskGenerator, checkerboard
from symmim_mm.visualization import digits_sample, mask_panels, plot_masks, save_figure
from symmim_mm.visualization.masks import MASK_ALPHA, MOMENTUM_COLOR, ONLINE_COLOR
from tests.conftest import run_script


def test_panels_tint_exactly_the_masked_patches():
    image = digits_sample(3)
    generator = SymmetricMaskGenerator(input_size=32, patch_size=4, block_size=8)
    panels, titles = mask_panels(image, generator)
    assert [p.shape for p in panels] == [(32, 32, 3)] * 3
    np.testing.assert_array_equal(panels[0], image)
    online = (panels[1], checkerboard((8, 8), 1), ONLINE_COLOR)
    momentum = (panels[2], checkerboard((8, 8), 2), MOMENTUM_COLOR)
    cases = (online, momentum)
    for panel, mask, color in cases:
        pixels = mask.repeat(4, 0).repeat(4, 1).astype(bool)
        np.testing.assert_array_equal(panel[~pixels], image[~pixels])  # visible: untouched
        tinted = image * (1 - MASK_ALPHA) + np.asarray(color) * MASK_ALPHA
        assert np.abs(panel[pixels] - tinted[pixels]).max() <= 1  # blended, rounded
    assert titles[1].startswith('M1 online: 50% masked')
    assert titles[2].startswith('M2 momentum (k=2): 50% masked')


def test_png_of_an_image_file(tmp_path, monkeypatch, capsys):
    rgb = np.random.default_rng(0).integers(0, 256, (90, 120, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / 'photo.png')
    out = tmp_path / 'masks.png'
    run_script(monkeypatch, 'tools/visualization/vis_masks.py', tmp_path / 'photo.png',
               '--input-size', '64', '--patch-size', '8', '--block-size', '16', '--out', out)
    with Image.open(out) as png:
        assert png.size == (750, 310)  # three 2.5-inch panels at 100 dpi, with titles
    assert 'input_size=(64, 64), patch_size=8, block_size=16' in capsys.readouterr().out


def test_figure_has_three_titled_panels(tmp_path):
    generator = SymmetricMaskGenerator(input_size=64, patch_size=16, block_size=32)
    fig = plot_masks(digits_sample(0), generator, 'digit')
    assert [ax.get_title().split(':')[0]
            for ax in fig.axes] == ['image 64x64, patch 16', 'M1 online', 'M2 momentum (k=2)']
    size = save_figure(fig, str(tmp_path / 'sub' / 'm.png'))
    with Image.open(tmp_path / 'sub' / 'm.png') as png:
        assert png.size == size == (750, 310)
