"""MMDetection modules (registered in ``mmdet.registry.MODELS``): a ViTDet-style
SymMIM backbone and its simple feature pyramid. Their channels-first LayerNorm is
MMPretrain's (``norm_cfg=dict(type='mmpretrain.LN2d')``)."""
from .simple_fpn import ViTDetSimpleFPN
from .symmim_vit_det import SymMIMViTDet

__all__ = ['SymMIMViTDet', 'ViTDetSimpleFPN']
