"""Convert a SymMIM checkpoint into the weights of MMPretrain, timm, MMDetection or
MMSegmentation.

    python tools/model_converters/symmim_convert.py SRC DST --to {mmpretrain,timm,mmdet,mmseg}
        [--teacher] [--trust-checkpoint SRC]

DST holds one encoder (the online one; ``--teacher``: the momentum one), as tensors
only: ``.safetensors`` (the format of timm and the Hugging Face hub) or, for any other
name, a ``torch.save`` file. It loads strictly into

- mmpretrain: ``VisionTransformer`` of the same arch (``final_norm=True``),
  ``init_cfg=dict(type='Pretrained', checkpoint=DST)``;
- timm: ``timm.models.load_checkpoint(model, DST, strict=True)`` or
  ``timm.create_model(name, pretrained=True, pretrained_cfg_overlay=dict(file=DST))``;
- mmdet / mmseg: ``SymMIMViTDet`` / ``SymMIMViTSeg`` with
  ``init_cfg=dict(type='Pretrained', checkpoint=DST, prefix=None)``.

SRC is read with ``weights_only=True``; ``--trust-checkpoint SRC`` lets a legacy file
that holds pickled objects load (only that file).
"""
import argparse

from symmim_mm.utils import TARGETS, add_trust_argument, convert_checkpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='SymMIM checkpoint (Runner .pth) or backbone-only file')
    parser.add_argument('dst', help='output file (.safetensors, or .pth for torch.save)')
    parser.add_argument(
        '--to',
        required=True,
        choices=sorted(TARGETS),
        help='the library whose backbone loads DST')
    parser.add_argument(
        '--teacher',
        action='store_true',
        help='take the momentum (EMA) encoder instead of the online one')
    add_trust_argument(parser)
    args = parser.parse_args()
    state = convert_checkpoint(args.src, args.dst, args.to, args.teacher)
    encoder = 'momentum' if args.teacher else 'online'
    print(f'{args.dst}: {len(state)} tensors of the {encoder} encoder, for '
          f'{TARGETS[args.to].backbone}')


if __name__ == '__main__':
    main()
