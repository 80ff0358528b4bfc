"""Show what a SymMIM checkpoint reconstructs under the online mask M1 (PNG).

    python tools/visualization/vis_reconstruction.py CONFIG CHECKPOINT [IMAGE] [--out rec.png]

Four panels: the original, the online encoder's input (masked patches grey), the
decoder's reconstruction of every patch, and the reconstruction pasted into the masked
patches of the original. Without IMAGE, a sample of the bundled handwritten digits
(``--index``, from the held-out split by default). The checkpoint is read with
``weights_only=True``; ``--trust-checkpoint CHECKPOINT`` lets a legacy file load.
"""
import argparse

import symmim_mm  # noqa: F401  (registers SymMIM)
from symmim_mm.utils import add_trust_argument
from symmim_mm.visualization import (digits_sample, load_image, load_symmim, plot_reconstruction,
                                     reconstruct, save_figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='the pretraining config of the checkpoint')
    parser.add_argument('checkpoint', help='SymMIM checkpoint (Runner .pth)')
    parser.add_argument('image', nargs='?', help='image file (default: a digits sample)')
    parser.add_argument('--index', type=int, default=0, help='digits sample index')
    parser.add_argument('--split', default='test', choices=['train', 'test'], help='digits split')
    parser.add_argument('--out', default='reconstruction.png', help='PNG to write')
    add_trust_argument(parser)
    args = parser.parse_args()

    model, generator = load_symmim(args.config, args.checkpoint)
    image = load_image(args.image) if args.image else digits_sample(
        args.index, generator.input_size[0], args.split)
    pictures = reconstruct(model, image, generator)
    source = args.image or f'digits {args.split} sample {args.index}'
    size = save_figure(plot_reconstruction(pictures, f'{source}  |  {args.checkpoint}'), args.out)
    print(f'{args.out}: {size[0]}x{size[1]} px; masked L1 {pictures["l1"]:.4f}')


if __name__ == '__main__':
    main()
