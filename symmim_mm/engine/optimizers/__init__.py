from .layer_decay import LayerDecayOptimWrapperConstructor
from .merged_groups import MergedGroupsOptimWrapperConstructor

__all__ = ['LayerDecayOptimWrapperConstructor', 'MergedGroupsOptimWrapperConstructor']
