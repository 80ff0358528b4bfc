"""Take the encoder out of a SymMIM checkpoint, as a backbone-only file.

    python tools/model_converters/extract_backbone.py SRC DST [--teacher]

The output ``{'state_dict': ...}`` holds tensors only and loads strictly into
MMPretrain's ``VisionTransformer`` of the same arch (``final_norm=True``).
"""
import argparse

from symmim_mm.utils import (ONLINE_PREFIX, TEACHER_PREFIX, encoder_state_dict, load_state_dict,
                             save_tensors)
from symmim_mm.utils.checkpoint import add_trust_argument


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='SymMIM checkpoint (Runner .pth)')
    parser.add_argument('dst', help='output file')
    parser.add_argument('--teacher', action='store_true',
                        help='take the momentum (EMA) encoder instead of the online one')
    add_trust_argument(parser)
    parser.add_argument('--keep-mask-token', action='store_true',
                        help='keep mask_token (for SymMIMViT, e.g. to continue pretraining)')
    args = parser.parse_args()
    prefix = TEACHER_PREFIX if args.teacher else ONLINE_PREFIX
    state = encoder_state_dict(load_state_dict(args.src), prefix, final_norm=True,
                               keep_mask_token=args.keep_mask_token)
    save_tensors(state, args.dst, meta=dict(source=args.src, teacher=args.teacher))
    print(f'{len(state)} tensors -> {args.dst}')


if __name__ == '__main__':
    main()
