"""Write synthetic ImageNet, COCO and ADE20K in the layouts the configs read.

    python tools/misc/make_fake_data.py --imagenet data/imagenet --coco data/coco \
        --ade data/ade/ADEChallengeData2016 --num 256

Smoke-test a cluster before the real data arrives: every config then runs as it is
(`tools/train.py CONFIG --cfg-options train_cfg.max_epochs=1`). Images are JPEGs
that decode like photos of the real sizes (ImageNet ~500 × 375, COCO 640 × 480,
ADE20K 683 × 512); COCO has the 80 COCO classes with boxes and polygons, ADE20K
PNG label maps. Nothing is downloaded.
"""
import argparse
import os
import time

from symmim_mm.testing import make_fake_ade20k, make_fake_coco, make_fake_imagenet


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--imagenet', metavar='DIR', help='ImageNet root (train/, val/, meta/)')
    parser.add_argument(
        '--coco', metavar='DIR', help='COCO root (annotations/, train2017/, '
        'val2017/)')
    parser.add_argument('--ade', metavar='DIR', help='ADE20K root (images/, annotations/)')
    parser.add_argument('--num', type=int, default=256, help='training images per data set')
    parser.add_argument(
        '--num-val',
        type=int,
        help='validation images per data set '
        '(default: --num / 8, at least 2)')
    parser.add_argument('--classes', type=int, default=10, help='ImageNet classes used')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--processes',
        type=int,
        default=os.cpu_count() or 1,
        help='processes that draw ImageNet images')
    args = parser.parse_args(argv)
    if not (args.imagenet or args.coco or args.ade):
        parser.error('name at least one of --imagenet, --coco, --ade')
    if args.num < 1:
        parser.error(f'--num must be positive, got {args.num}')
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    num_val = args.num_val if args.num_val is not None else max(2, args.num // 8)
    makers = [(args.imagenet, lambda root: make_fake_imagenet(root, args.num, num_val, args.
                                                              classes, args.seed, args.processes)),
              (args.coco, lambda root: make_fake_coco(root, args.num, num_val, args.seed)),
              (args.ade, lambda root: make_fake_ade20k(root, args.num, num_val, args.seed))]
    for root, make in makers:
        if root:
            start = time.perf_counter()
            make(root)
            print(
                f'{root}: {args.num} train + {num_val} val images '
                f'({time.perf_counter() - start:.1f} s)',
                flush=True)


if __name__ == '__main__':
    main()
