"""Short quickstart runs through tools/train.py."""
import sys
from typing import List, Sequence

from tests.conftest import free_port

CONFIG = 'configs/symmim/symmim_vit-tiny-p4_digits-32px.py'
# 3 iterations per epoch, a 2-block encoder, one value logged per iteration.
SHORT = [
    'train_dataloader.num_batch_per_epoch=3', 'train_dataloader.batch_size=16',
    'model.backbone.arch.num_layers=2', 'default_hooks.logger.interval=1',
    'log_processor.window_size=1', 'default_hooks.checkpoint.interval=1',
    'default_hooks.checkpoint.max_keep_ckpts=3'
]


def train_cmd(config: str, work_dir, args: Sequence[str] = (), nproc: int = 1) -> List[str]:
    """The command line of tools/train.py (under torchrun when ``nproc > 1``)."""
    if nproc > 1:
        launch = [
            sys.executable, '-m', 'torch.distributed.run', f'--nproc_per_node={nproc}',
            f'--master_port={free_port()}', 'tools/train.py', config, '--launcher', 'pytorch'
        ]
    else:
        launch = ['tools/train.py', config]
    return [*launch, '--work-dir', str(work_dir), *args]
