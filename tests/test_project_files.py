"""The files users and tools expect at the top of the repository: the model index (every
runnable config listed once), the licence, the citation and the test launch scripts."""
import os
import re
import subprocess
from pathlib import Path
from typing import List, Set

import pytest
from modelindex.load_model_index import load

from tests.conftest import ROOT, run_tool

METAFILE = 'configs/symmim/metafile.yml'
NEW_SCRIPTS = ['tools/dist_test.sh', 'tools/slurm_test.sh']
MIM_TEST_SCRIPTS = [
    f'tools/benchmarks/{lib}/mim_{kind}_test.sh' for lib in ('mmdetection', 'mmsegmentation')
    for kind in ('dist', 'slurm')
]


def shipped_configs() -> Set[str]:
    """Every ``configs/**/*.py`` outside ``_base_`` folders, relative to the root."""
    return {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / 'configs').rglob('*.py') if '_base_' not in p.relative_to(ROOT).parts
    }


@pytest.fixture(scope='module')
def model_index():
    """The model index, loaded (collections applied) as MMPretrain's ModelHub loads it."""
    return load(str(ROOT / 'model-index.yml'))


def test_model_index_is_valid(model_index):
    assert model_index.check(silent=True) == []  # imports found, collections known
    collections = {c.name: c for c in model_index.collections}
    symmim = collections['SymMIM']
    assert symmim.paper['URL'] == 'https://arxiv.org/abs/2408.12772'
    assert symmim.metadata.data['Architecture'] == ['ViT']
    names = [m.name for m in model_index.models]
    assert len(names) == len(set(names)), 'duplicate model names'
    for model in model_index.models:
        assert model.in_collection in collections, model.name
        assert model.config and (ROOT / model.config).is_file(), model.name
        assert model.name == Path(model.config).stem, model.name
        assert 'Training Data' in model.metadata.data, model.name
        assert model.weights is None and model.results is None, model.name  # none published
        for downstream in model.data.get('Downstream', []):
            assert downstream in names, f'{model.name}: unknown downstream {downstream}'


def test_model_index_lists_every_config(model_index):
    listed = [m.config for m in model_index.models]
    assert len(listed) == len(set(listed)), 'a config is listed twice'
    shipped = shipped_configs()
    assert len(shipped) > 20
    missing, stale = sorted(shipped - set(listed)), sorted(set(listed) - shipped)
    assert not missing, f'configs without an entry in {METAFILE}: {missing}'
    assert not stale, f'entries of {METAFILE} whose config is gone: {stale}'


def test_license_is_apache_2():
    text = (ROOT / 'LICENSE').read_text()
    assert text.lstrip().startswith('Apache License')
    for phrase in [
            'Version 2.0, January 2004', 'http://www.apache.org/licenses/LICENSE-2.0',
            'TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION',
            '9. Accepting Warranty or Additional Liability.', 'END OF TERMS AND CONDITIONS',
            'APPENDIX: How to apply the Apache License'
    ]:
        assert phrase in text, phrase
    assert re.search(r'^   Copyright 2026 symmim_mm authors$', text, re.M)
    assert '[yyyy]' not in text and len(text) > 10000


def test_citation_is_one_inproceedings():
    text = (ROOT / 'CITATION.bib').read_text()
    assert re.findall(r'@(\w+)\s*\{\s*([^,\s]+),',
                      text) == [('inproceedings', 'nguyen2024symmetric')]
    assert text.count('{') == text.count('}')
    fields = dict(re.findall(r'^\s*(\w+)\s*=\s*\{(.*)\},?\s*$', text, re.M))
    assert fields['eprint'] == '2408.12772' and fields['archivePrefix'] == 'arXiv'
    assert fields['title'].startswith('Symmetric masking strategy') and fields['year'] == '2024'
    assert 'ICPR' in fields['booktitle'] and 'Nguyen' in fields['author']


@pytest.mark.parametrize('script', NEW_SCRIPTS + MIM_TEST_SCRIPTS)
def test_scripts_parse(script):
    assert os.access(ROOT / script, os.X_OK), f'{script} is not executable'
    proc = subprocess.run(['bash', '-n', str(ROOT / script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture
def fake_bin(tmp_path) -> Path:
    """A folder with fake ``torchrun`` and ``srun``: each writes its arguments (NUL
    separated) to ``<name>.args`` beside it."""
    for name in ('torchrun', 'srun'):
        fake = tmp_path / name
        record = tmp_path / f'{name}.args'
        fake.write_text(f'#!/usr/bin/env bash\nprintf "%s\\0" "$@" > "{record}"\n')
        fake.chmod(0o755)
    return tmp_path


def run_with_fakes(fake_bin: Path, name: str, args: List[str], **env: str) -> List[str]:
    """Run a script with ``fake_bin`` first on PATH; the arguments ``name`` was given."""
    run_tool(args, env=dict(env, PATH=f'{fake_bin}{os.pathsep}{os.environ["PATH"]}'), timeout=60)
    return (fake_bin / f'{name}.args').read_text().split('\0')[:-1]


FLAGS = ['--out', 'r.pkl', '--cfg-options', 'test_evaluator.prefix=a b']


@pytest.mark.parametrize('lib', ['mmdetection', 'mmsegmentation'])
def test_mim_dist_test_delegates(fake_bin, lib):
    args = run_with_fakes(
        fake_bin,
        'torchrun', [
            f'tools/benchmarks/{lib}/mim_dist_test.sh', 'configs/x/my-config.py',
            'work/iter_9.pth', '3', *FLAGS
        ],
        PORT='29611')
    assert args[:5] == [
        '--nnodes=1', '--node_rank=0', '--master_addr=127.0.0.1', '--master_port=29611',
        '--nproc_per_node=3'
    ]
    assert (ROOT / args[5]).resolve() == ROOT / 'tools/test.py'
    assert args[6:] == [
        'configs/x/my-config.py', 'work/iter_9.pth', '--launcher', 'pytorch', *FLAGS
    ]


@pytest.mark.parametrize('lib', ['mmdetection', 'mmsegmentation'])
def test_mim_slurm_test_delegates(fake_bin, lib):
    args = run_with_fakes(
        fake_bin,
        'srun', [
            f'tools/benchmarks/{lib}/mim_slurm_test.sh', 'gpu', 'configs/x/my-config.py',
            'work/iter_9.pth', *FLAGS
        ],
        GPUS='16',
        SRUN_ARGS='--qos=high --time=10')
    assert args[:10] == [
        '-p', 'gpu', '--job-name=my-config', '--gres=gpu:8', '--ntasks=16', '--ntasks-per-node=8',
        '--cpus-per-task=5', '--kill-on-bad-exit=1', '--qos=high', '--time=10'
    ]
    assert args[10:12] == ['python', '-u']
    assert (ROOT / args[12]).resolve() == ROOT / 'tools/test.py'
    assert args[13:] == ['configs/x/my-config.py', 'work/iter_9.pth', '--launcher=slurm', *FLAGS]


def test_mim_test_scripts_call_the_generic_ones():
    for kind in ('dist', 'slurm'):
        text = (ROOT / f'tools/benchmarks/mmdetection/mim_{kind}_test.sh').read_text()
        assert re.search(rf'^exec bash "\$\(dirname "\$0"\)/\.\./\.\./{kind}_test\.sh"', text,
                         re.M), kind
