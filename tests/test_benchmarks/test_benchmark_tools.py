"""The two benchmark tools run end to end on tiny settings and write what they promise."""
import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).parents[2]


def run(*args):
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


@pytest.fixture
def image_folder(tmp_path):
    """Two classes (bright squares vs dark disks), train/ and val/."""
    rng = np.random.default_rng(0)
    for split, n in (('train', 8), ('val', 4)):
        for cls in ('squares', 'disks'):
            folder = tmp_path / 'data' / split / cls
            folder.mkdir(parents=True)
            for i in range(n):
                img = rng.integers(0, 40, (40, 48, 3), dtype=np.uint8)
                if cls == 'squares':
                    img[8:30, 10:34] = 230
                else:
                    cv2.circle(img, (24, 20), 12, (120, 200, 60), -1)
                cv2.imwrite(str(folder / f'{i}.png'), img)
    return tmp_path / 'data'


def test_equal_budget_on_an_image_folder(tmp_path, image_folder):
    out = run('tools/benchmarks/equal_budget.py', '--data-root', str(image_folder),
              '--epochs', '1', '--seeds', '2', '--methods', 'symmim', 'mae',
              '--out-dir', str(tmp_path / 'out'), '--json', str(tmp_path / 'eb.json'))
    assert '16 train / 8 held-out images' in out
    assert '| SymMIM |' in out and '| MAE (MMPretrain) |' in out and '| random init |' in out
    # header, rule, 2 methods, random init
    assert (tmp_path / 'out' / 'equal_budget.md').read_text().count('\n|') == 5
    png = cv2.imread(str(tmp_path / 'out' / 'equal_budget.png'))
    assert png is not None and png.shape[1] > png.shape[0] > 300
    figures = json.loads((tmp_path / 'eb.json').read_text())
    assert len(figures['runs']) == 4 and len(figures['random_init']) == 2
    for run_ in figures['runs']:
        assert [p['epoch'] for p in run_['curve']] == [0, 1]
        assert all(0 <= p['knn'] <= 100 and 0 <= p['linear'] <= 100 for p in run_['curve'])
        assert run_['train_time_s'] > 0
    assert set(figures['summary']) == {'symmim', 'mae', 'random'}
