"""Key mapping between MMPretrain's VisionTransformer and timm's VisionTransformer."""
import re
from collections import OrderedDict
from typing import Dict

import torch

# (MMPretrain pattern, timm replacement), applied in order to every key.
_RULES = (
    (r'^patch_embed\.projection\.', 'patch_embed.proj.'),
    (r'^layers\.(\d+)\.ln1\.', r'blocks.\1.norm1.'),
    (r'^layers\.(\d+)\.ln2\.', r'blocks.\1.norm2.'),
    (r'^layers\.(\d+)\.attn\.', r'blocks.\1.attn.'),
    (r'^layers\.(\d+)\.ffn\.layers\.0\.0\.', r'blocks.\1.mlp.fc1.'),
    (r'^layers\.(\d+)\.ffn\.layers\.1\.', r'blocks.\1.mlp.fc2.'),
    (r'^ln1\.', 'norm.'),
)


def mmpretrain_to_timm(state: Dict[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """Rename a ViT encoder state dict (no prefix, no ``mask_token``) to timm keys.

    Raises:
        KeyError: A key has no timm counterpart (e.g. layer scale, ``ln2`` of
            ``avg_featmap``), so the result would not load strictly.
    """
    out = OrderedDict()
    for key, value in state.items():
        new = key
        for pattern, repl in _RULES:
            new = re.sub(pattern, repl, new)
        if new == key and key not in ('cls_token', 'pos_embed'):
            raise KeyError(f'no timm name for {key!r}')
        out[new] = value
    return out
