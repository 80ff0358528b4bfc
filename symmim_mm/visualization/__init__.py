"""Pictures of SymMIM: its masks, its reconstructions, and training curves (PNG)."""
from .figures import image_row, save_figure, upsample_mask
from .images import digits_sample, fit_image, load_image
from .losses import load_curves, plot_losses, scalar_files
from .masks import mask_panels, plot_masks, tint_masked
from .reconstruction import (load_symmim, mask_generator_from_config, plot_reconstruction,
                             reconstruct)

__all__ = [
    'digits_sample', 'fit_image', 'image_row', 'load_curves', 'load_image', 'load_symmim',
    'mask_generator_from_config', 'mask_panels', 'plot_losses', 'plot_masks',
    'plot_reconstruction', 'reconstruct', 'save_figure', 'scalar_files', 'tint_masked',
    'upsample_mask'
]
