"""MMPretrain's self-supervised data preprocessor that also collates SymMIM's masks."""
from typing import List, Optional

import torch
from mmpretrain.models import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample


def collate_masks(data_samples: List[DataSample], device: torch.device) -> dict:
    """The batch's masks, stacked once and moved to ``device``, with their visible counts.

    Returns:
        dict: ``mask`` ``(B, h, w)`` (M1), ``momentum_mask`` ``(B, h, w)`` (M2, if the
        samples carry it), and ``num_visible`` / ``momentum_num_visible``: the number of
        visible patches per sample as a Python int, or None where samples differ.
    """
    masks = {}
    for key in ('mask', 'momentum_mask'):
        try:
            stacked = torch.stack([torch.as_tensor(getattr(ds, key)) for ds in data_samples])
        except AttributeError:
            if key == 'mask' or any(key in ds for ds in data_samples):
                raise KeyError(f'data samples have no `{key}`: put SymmetricMaskGenerator '
                               'in the pipeline and PackInputs(algorithm_keys=['
                               "'momentum_mask']).") from None
            continue
        visible = (stacked.flatten(1) == 0).sum(1)  # on the host: no device sync
        name = 'num_visible' if key == 'mask' else 'momentum_num_visible'
        masks[key] = stacked.to(device, non_blocking=True)
        masks[name] = int(visible[0]) if bool((visible == visible[0]).all()) else None
    return masks


@MODELS.register_module()
class SymMIMDataPreprocessor(SelfSupDataPreprocessor):
    """:class:`SelfSupDataPreprocessor` (same arguments, same ``inputs``) that also
    hands :class:`SymMIM` the batch's masks as one tensor each, with the number of
    visible patches as Python ints (``masks``, see :func:`collate_masks`).

    The masks are then stacked and moved once per batch, and the model's training
    forward has no data-dependent shapes left to count (no graph break under
    ``torch.compile``).
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        data = super().forward(data, training)
        samples: Optional[List[DataSample]] = data.get('data_samples')
        if samples and 'mask' in samples[0]:
            inputs = data['inputs']
            device = (inputs[0] if isinstance(inputs, list) else inputs).device
            data['masks'] = collate_masks(samples, device)
        return data
