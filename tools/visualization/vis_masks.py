"""Draw SymMIM's online mask M1 and momentum mask M2 over an image (PNG).

    python tools/visualization/vis_masks.py [IMAGE] [--config CONFIG] [--out masks.png]

Without IMAGE, a sample of the bundled handwritten digits (``--index``). The masks come
from the ``SymmetricMaskGenerator`` of ``--config``'s training pipeline, or from
``--input-size/--patch-size/--block-size`` (defaults: 224/16/32 for an image file,
32/4/8 for the digits, as in the configs).
"""
import argparse

from mmengine.config import Config
from mmengine.registry import DefaultScope

import symmim_mm  # noqa: F401  (registers the mask generator)
from symmim_mm.datasets import SymmetricMaskGenerator
from symmim_mm.visualization import (digits_sample, load_image, mask_generator_from_config,
                                     plot_masks, save_figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('image', nargs='?', help='image file (default: a digits sample)')
    parser.add_argument('--index', type=int, default=0, help='digits sample index')
    parser.add_argument('--config', help='take the mask settings from this config')
    parser.add_argument('--input-size', type=int, help='image side fed to the model')
    parser.add_argument('--patch-size', type=int)
    parser.add_argument('--block-size', type=int, help='side of an M2 square, in pixels')
    parser.add_argument('--out', default='masks.png', help='PNG to write')
    args = parser.parse_args()

    if args.config:
        cfg = Config.fromfile(args.config)
        with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmpretrain')):
            generator = mask_generator_from_config(cfg)
        settings = dict(
            input_size=generator.input_size,
            patch_size=generator.patch_size,
            block_size=generator.block_size,
            mask_mode=generator.mask_mode,
            mask_ratio=generator.mask_ratio,
            phase_flip=generator.phase_flip)
    else:
        defaults = (224, 16, 32) if args.image else (32, 4, 8)
        settings = dict(zip(('input_size', 'patch_size', 'block_size'), defaults))
    for name in ('input_size', 'patch_size', 'block_size'):
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    generator = SymmetricMaskGenerator(**settings)
    image = load_image(args.image) if args.image else digits_sample(args.index)
    source = args.image or f'digits sample {args.index}'
    size = save_figure(plot_masks(image, generator, source), args.out)
    print(f'{args.out}: {size[0]}x{size[1]} px, image, M1 and M2 ({generator})')


if __name__ == '__main__':
    main()
