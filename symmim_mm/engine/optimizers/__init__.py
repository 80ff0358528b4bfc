from .layer_decay import LayerDecayOptimWrapperConstructor, register_layer_decay_constructor

register_layer_decay_constructor()

__all__ = ['LayerDecayOptimWrapperConstructor']
