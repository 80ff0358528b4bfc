"""SymMIM checkpoints -> weights of the downstream ViTs (MMDetection / MMSegmentation).

A SymMIM Runner checkpoint holds the online encoder under ``backbone.`` and its
EMA copy (the momentum encoder) under ``momentum_encoder.module.0.``, both with
MMPretrain ``VisionTransformer`` names. The downstream backbones keep those
names, so converting is selecting one encoder, stripping its prefix and dropping
what only pretraining uses: the ``mask_token`` and, for backbones built without
a final norm (ViTDet and UperNet heads read un-normalised block outputs), the
final ``ln1``.
"""
import argparse
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.logging import print_log

from ..utils.checkpoint import (ONLINE_PREFIX, TEACHER_PREFIX, add_trust_argument,
                                encoder_state_dict, load_state_dict, save_tensors)


def load_pretrained(module: nn.Module, checkpoint: str, prefix: Optional[str] = ONLINE_PREFIX,
                    new_params: Sequence[str] = ()) -> None:
    """Load one encoder of ``checkpoint`` into a downstream ViT, strictly.

    Unlike MMEngine's ``PretrainedInit`` (which only logs mismatches), any key
    missing or left over raises, except parameters whose name ends with one of
    ``new_params`` (layers with no pretrained counterpart, which keep their
    initialisation). ``pos_embed`` is resized to the backbone's grid on loading.

    Args:
        module (nn.Module): A ViT with MMPretrain names and a ``final_norm`` flag.
        checkpoint (str): Path of a SymMIM (or converted) checkpoint.
        prefix (str, optional): Which encoder: ``'backbone.'`` (online),
            ``'momentum_encoder.module.0.'`` (EMA), or ``None`` for a converted
            file. Defaults to ``'backbone.'``.
        new_params (Sequence[str]): Name suffixes allowed to be missing.
            Defaults to ().
    """
    state = encoder_state_dict(load_state_dict(checkpoint), prefix,
                               final_norm=getattr(module, 'final_norm', False))
    missing, unexpected = module.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith(tuple(new_params))]
    if missing or unexpected:
        raise RuntimeError(f'{checkpoint} (prefix {prefix!r}) does not match '
                           f'{type(module).__name__}: missing {_some(missing)}, '
                           f'unexpected {_some(unexpected)}.')
    print_log(f'Loaded {len(state)} tensors of {type(module).__name__} from {checkpoint} '
              f'(prefix {prefix!r}).', logger='current')


def _some(keys: Sequence[str], most: int = 8) -> str:
    return str(list(keys[:most])) + (f' and {len(keys) - most} more' if len(keys) > most else '')


def convert_checkpoint(src: str, dst: str, teacher: bool = False,
                       final_norm: bool = False) -> Dict[str, torch.Tensor]:
    """Write one encoder of a SymMIM checkpoint as ``{'state_dict': tensors}``.

    Args:
        src (str): SymMIM Runner checkpoint.
        dst (str): Output file.
        teacher (bool): Take the momentum (EMA) encoder instead of the online
            one. Defaults to False.
        final_norm (bool): Keep the final norm. Defaults to False.

    Returns:
        dict[str, Tensor]: The converted state dict.
    """
    state = encoder_state_dict(load_state_dict(src),
                               TEACHER_PREFIX if teacher else ONLINE_PREFIX, final_norm)
    save_tensors(state, dst)
    return state


class StrictPretrainedMixin:
    """Makes a backbone load ``init_cfg=dict(type='Pretrained', checkpoint, prefix)``
    through :func:`load_pretrained` (strict), after the random initialisation.

    ``NEW_PARAMS`` lists the name suffixes of parameters that pretrained
    checkpoints do not have.
    """

    NEW_PARAMS: Sequence[str] = ()

    def init_weights(self) -> None:
        """Random init, then the pretrained encoder (strictly) if ``init_cfg`` asks."""
        cfg = self.init_cfg
        if not (isinstance(cfg, dict) and cfg.get('type') == 'Pretrained'):
            super().init_weights()
            return
        if not cfg.get('checkpoint'):
            raise ValueError(f'{type(self).__name__}: init_cfg.checkpoint is empty; pass '
                             '`--cfg-options model.backbone.init_cfg.checkpoint=PATH`.')
        self.init_cfg = None  # random init first: it sets what the checkpoint lacks
        try:
            super().init_weights()
        finally:
            self.init_cfg = cfg
        load_pretrained(self, cfg['checkpoint'], cfg.get('prefix'), self.NEW_PARAMS)


def convert_cli(backbone: str, argv: Optional[Sequence[str]] = None) -> None:
    """Command line of ``tools/model_converters/symmim_to_{mmdet,mmseg}.py``:
    ``SRC DST [--teacher]``, writing weights for ``backbone`` (a class name)."""
    parser = argparse.ArgumentParser(
        description=f'Convert a SymMIM checkpoint into {backbone} weights '
        "({'state_dict': tensors}, loaded strictly; use them with "
        'init_cfg=dict(type="Pretrained", checkpoint=DST, prefix=None)).')
    parser.add_argument('src', help='SymMIM checkpoint (Runner output)')
    parser.add_argument('dst', help='output file')
    parser.add_argument('--teacher', action='store_true',
                        help='take the momentum (EMA) encoder instead of the online one')
    add_trust_argument(parser)
    args = parser.parse_args(argv)
    state = convert_checkpoint(args.src, args.dst, teacher=args.teacher)
    encoder = 'momentum' if args.teacher else 'online'
    print(f'{args.dst}: {len(state)} tensors of the {encoder} encoder, for {backbone}')
