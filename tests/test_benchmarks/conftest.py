"""Fixtures of the benchmark tests."""
from pathlib import Path

import pytest

from symmim_mm.benchmarks.pipeline import write_photo


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """Paths of the tiny pretraining configs of test_pretrain_speed, and a photo."""
    from tests.test_benchmarks.test_pretrain_speed import TINY
    root = tmp_path_factory.mktemp('tiny_configs')
    paths = {}
    for name, text in TINY.items():
        paths[name] = root / f'tiny_{name}.py'
        paths[name].write_text(text)
    paths['photo'] = Path(write_photo(str(root / 'photo.jpg')))
    return paths
