"""Images/s of the ImageNet pretraining pipeline per data-loading process, per decoder.

    python tools/benchmarks/data_speed.py                       # synthetic JPEGs
    python tools/benchmarks/data_speed.py --data-root data/imagenet --gpu-images-per-s 2500
    python tools/benchmarks/data_speed.py --config CONFIG --json data_speed.json

Runs the config's training pipeline (decode, RandomResizedCrop, flip, mask generator,
pack) one sample at a time in this process, single-threaded as a DataLoader worker
is, on the ImageNet training JPEGs under ``--data-root`` (default: synthetic ones
written to a temporary folder, ImageNet's sizes and file sizes). Variants: the
pipeline as configured, then its image loader swapped for ``LoadImageFromFile`` with
each decoding backend MMCV can use here (cv2, pillow, turbojpeg when installed) and
for ``RobustLoadImageFromFile``, each with each resize step of the crops (MMCV's
Pillow and OpenCV resizes, OpenCV's INTER_AREA, torch's antialiased resize of
``FastRandomResizedCrop``). Each variant's output pixels are compared with the
configured pipeline's under the same random seeds (max and mean |Δ|, 0-255); a
variant is close when both are within ``--tolerance`` (default: 3 and 0.1, rounding
differences of the same filter). The table ends with the loading processes a GPU
needs at the rate of the fastest close variant.
"""
import argparse
import json
import os.path as osp
import tempfile
import time

import cv2
import torch

import symmim_mm  # noqa: F401
from symmim_mm.benchmarks.data_speed import (decoding_backends, fastest_close, measure_variants,
                                             workers_needed)
from symmim_mm.benchmarks.pipeline import image_files
from symmim_mm.benchmarks.speed import load_config
from symmim_mm.testing import make_fake_imagenet

CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs', 'symmim',
    'symmim_vit-base-p16_8xb256-amp-coslr-800e_in1k.py')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--config', default=CONFIG, help='pretraining config (default: '
        'SymMIM ViT-B/16)')
    parser.add_argument(
        '--data-root',
        help='ImageNet root (train/, meta/train.txt); '
        'default: synthetic images in a temporary folder')
    parser.add_argument('--images', type=int, default=64, help='distinct images to cycle')
    parser.add_argument('--samples', type=int, default=200, help='samples per round')
    parser.add_argument(
        '--rounds',
        type=int,
        default=3,
        help='rounds over the variants '
        '(the median round counts)')
    parser.add_argument(
        '--clock',
        choices=['cpu', 'wall'],
        default='cpu',
        help='time the process\'s CPU time (default: what a worker with a '
        'core of its own takes, however busy the machine) or wall time')
    parser.add_argument(
        '--gpu-images-per-s',
        type=float,
        nargs='+',
        default=[1000., 2000., 4000.],
        help='GPU consumption rates to size the loader for')
    parser.add_argument(
        '--tolerance',
        type=float,
        nargs=2,
        default=[3., 0.1],
        metavar=('MAX', 'MEAN'),
        help='largest and mean |pixel difference| '
        '(0-255) of a variant close to the configured pipeline '
        '(default: 3 0.1; 0 0: the same images)')
    parser.add_argument('--json', help='also write the figures to this JSON file')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    cv2.setNumThreads(0)  # as MMEngine's env_cfg and a DataLoader worker: one thread
    torch.set_num_threads(1)
    cfg = load_config(args.config)
    backends = decoding_backends()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.data_root
        if root is None:
            root = osp.join(tmp, 'imagenet')
            make_fake_imagenet(root, num_train=args.images, num_val=0)
        files = image_files(root, args.images)
        results = measure_variants(
            cfg,
            files,
            args.samples,
            args.rounds,
            backends=[b for b, why in backends.items() if why is None],
            clock=time.process_time if args.clock == 'cpu' else time.perf_counter)
    best = fastest_close(results, *args.tolerance)
    print(f'{len(files)} JPEGs from {args.data_root or "synthetic ImageNet"}, '
          f'{args.rounds} rounds of {args.samples} samples per variant, one thread, '
          f'{args.clock} time\n')
    for backend, why in backends.items():
        if why is not None:
            print(f'decoding backend {backend}: not available ({why})')
    stages = list(results[0]['stages'])
    print('\n| pipeline | images/s per process | ms/image | ' +
          ' | '.join(f'{s} (ms)' for s in stages) + ' | max |Δ| | mean |Δ| |')
    print('|---' * (len(stages) + 5) + '|')
    for r in results:
        name = r['name'] + (' (configured)' if r['configured'] else '')
        print(f"| {name} | {r['images_per_s']:.0f} | {r['ms_per_image']:.2f} | " +
              ' | '.join(f"{v:.2f}" for v in r['stages'].values()) +
              f" | {r['max_pixel_difference']} | {r['mean_pixel_difference']:.3f} |")
    print(f"\nfastest close to the configured images (max |Δ| <= {args.tolerance[0]:g}, "
          f"mean |Δ| <= {args.tolerance[1]:g}): {best['name']} "
          f"({best['images_per_s']:.0f} images/s per process)")
    workers = {rate: workers_needed(best['images_per_s'], rate) for rate in args.gpu_images_per_s}
    for rate, n in workers.items():
        print(f'a GPU at {rate:.0f} images/s needs {n} loading processes')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(
                dict(
                    config=dict(vars(args)),
                    backends=backends,
                    variants=results,
                    fastest_close=best['name'],
                    tolerance=args.tolerance,
                    workers_needed={
                        str(k): v
                        for k, v in workers.items()
                    }),
                f,
                indent=2)
        print(f'figures written to {args.json}')


if __name__ == '__main__':
    main()
