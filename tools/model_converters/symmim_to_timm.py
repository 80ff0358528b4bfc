"""Convert a SymMIM checkpoint to timm ``VisionTransformer`` keys.

    python tools/model_converters/symmim_to_timm.py SRC DST [--teacher]

Load the result with ``timm.create_model('vit_base_patch16_224', num_classes=0)``
and ``model.load_state_dict(torch.load(DST, weights_only=True)['model'])``. The
``{'model': ...}`` layout is also what ViTDet/detectron2-style loaders expect.
"""
import argparse

from symmim_mm.utils import (ONLINE_PREFIX, TEACHER_PREFIX, encoder_state_dict, load_state_dict,
                             mmpretrain_to_timm, save_tensors)
from symmim_mm.utils.checkpoint import add_trust_argument


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='SymMIM checkpoint (Runner .pth) or backbone-only file')
    parser.add_argument('dst', help='output file')
    parser.add_argument('--teacher', action='store_true',
                        help='take the momentum (EMA) encoder instead of the online one')
    add_trust_argument(parser)
    args = parser.parse_args()
    state = load_state_dict(args.src)
    prefix = TEACHER_PREFIX if args.teacher else ONLINE_PREFIX
    if not any(k.startswith(prefix) for k in state):
        prefix = None  # already a backbone-only file
    state = encoder_state_dict(state, prefix, final_norm=True)
    timm_state = mmpretrain_to_timm(state)
    save_tensors({}, args.dst, model=dict(timm_state))
    print(f'{len(timm_state)} tensors -> {args.dst}')


if __name__ == '__main__':
    main()
