"""MMDetection modules (registered in ``mmdet.registry.MODELS``): a ViTDet-style
SymMIM backbone, its simple feature pyramid and channels-first LayerNorm."""
from .layer_norm_2d import ViTDetLN2d
from .simple_fpn import ViTDetSimpleFPN
from .symmim_vit_det import SymMIMViTDet

__all__ = ['SymMIMViTDet', 'ViTDetSimpleFPN', 'ViTDetLN2d']
