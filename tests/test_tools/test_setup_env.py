"""tools/setup_env.sh without a build: its syntax, the choice of the kind of mmcv ops and the
final check that tells a CPU-only mmcv from one with CUDA kernels (SETUP_CHECK_ONLY=1).

The check runs against this test's own virtual environment (the one CI builds) and against
fake mmcv packages whose ``_ext`` library is a hand-made ELF file with a CUDA fat binary, or a
real CUDA library (torchvision's, from the CUDA build of torchvision that the set-up installs)."""
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = ROOT / 'tools' / 'setup_env.sh'
VENV = Path(sys.prefix)  # the venv these tests run in (the set-up's .venv in CI)
SETUP_VARS = ('CUDA', 'TORCH_CUDA_ARCH_LIST', 'SETUP_CHECK_ONLY', 'VENV', 'PYTHONPATH')


def run_script(**env):
    """tools/setup_env.sh with SETUP_CHECK_ONLY=1 (nothing installed or built)."""
    base = {k: v for k, v in os.environ.items() if k not in SETUP_VARS}
    base.update(SETUP_CHECK_ONLY='1', VENV=str(VENV), CUDA_VISIBLE_DEVICES='')
    base.update(env)
    return subprocess.run(['bash', str(SCRIPT)],
                          env=base,
                          capture_output=True,
                          text=True,
                          timeout=120)


def mmcv_check_snippet():
    """The Python check inside the script, as the script runs it."""
    text = SCRIPT.read_text()
    return re.search(r"<<'PYCHECK' \|\| true\n(.*?)\nPYCHECK\n", text, re.S).group(1)


def probe(want, archs='', pythonpath=None):
    env = {k: v for k, v in os.environ.items() if k not in SETUP_VARS}
    env.update(SETUP_WANT=want, SETUP_ARCHS=archs)
    if pythonpath:
        env['PYTHONPATH'] = str(pythonpath)
    return subprocess.run(
        [sys.executable, '-c', mmcv_check_snippet(), 'probe'],
        env=env,
        capture_output=True,
        text=True,
        timeout=60).returncode


def fatbin(*entries):
    """A CUDA fat binary: (kind, arch) entries, kind 2 a cubin, 1 PTX."""
    body = b''
    for kind, arch in entries:
        payload = b'\0' * 32
        header = bytearray(64)
        struct.pack_into('<HHIQ', header, 0, kind, 0x101, 64, len(payload))
        struct.pack_into('<I', header, 28, arch)
        body += bytes(header) + payload
    return struct.pack('<IHHQ', 0xBA55ED50, 1, 16, len(body)) + body


def elf(sections):
    """A minimal ELF64 file with the given {name: bytes} sections."""
    names = b'\0' + b''.join(n.encode() + b'\0' for n in sections) + b'.shstrtab\0'
    blob, headers = bytearray(b'\0' * 64), [bytes(64)]
    for name, data in [*sections.items(), ('.shstrtab', names)]:
        headers.append(
            struct.pack('<IIQQQQIIQQ', names.index(name.encode() + b'\0'), 1, 0, 0, len(blob),
                        len(data), 0, 0, 1, 0))
        blob += data
    blob += b'\0' * (-len(blob) % 8)
    shoff = len(blob)
    ident = b'\x7fELF' + bytes([2, 1, 1]) + b'\0' * 9
    blob[:64] = ident + struct.pack('<HHIQQQIHHHHHH', 3, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64,
                                    len(headers),
                                    len(headers) - 1)
    return bytes(blob) + b''.join(headers)


FAKE_OPS = '''
import sys, types
import torch
_ext = types.ModuleType('mmcv._ext')
_ext.__file__ = __file__.replace('ops/__init__.py', '_ext.cpython-fake.so')
sys.modules['mmcv._ext'] = _ext
def get_compiling_cuda_version():
    return {cuda!r}
def get_compiler_version():
    return 'GCC 12.2'
def nms(boxes, scores, iou):
    keep = []
    for i in scores.argsort(descending=True).tolist():
        b = boxes[i]
        if all(_iou(b, boxes[j]) <= iou for j in keep):
            keep.append(i)
    return None, torch.tensor(keep)
def _iou(a, b):
    w = (torch.min(a[2], b[2]) - torch.max(a[0], b[0])).clamp(min=0)
    h = (torch.min(a[3], b[3]) - torch.max(a[1], b[1])).clamp(min=0)
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])
    return float(w * h / (area(a) + area(b) - w * h))
'''


def fake_mmcv(tmp_path, library, cuda='13.0'):
    """A package 'mmcv' (2.1.0) on PYTHONPATH whose mmcv._ext is the given library file."""
    pkg = tmp_path / 'mmcv'
    (pkg / 'ops').mkdir(parents=True)
    (pkg / '__init__.py').write_text("__version__ = '2.1.0'\n")
    (pkg / 'ops' / '__init__.py').write_text(FAKE_OPS.format(cuda=cuda))
    target = pkg / '_ext.cpython-fake.so'
    if isinstance(library, bytes):
        target.write_bytes(library)
    else:
        shutil.copyfile(library, target)
    return tmp_path


SM90 = elf({'.text': b'\x90' * 24, '.nv_fatbin': fatbin((2, 90)) + b'\0' * 8 + fatbin((2, 90))})


def test_syntax():
    assert subprocess.run(['bash', '-n', str(SCRIPT)]).returncode == 0


def test_rejects_unknown_cuda_value(tmp_path):
    res = run_script(CUDA='yes', VENV=str(tmp_path / 'none'))
    assert res.returncode == 2 and 'CUDA must be unset, 0 or 1' in res.stderr


def test_check_only_needs_a_venv(tmp_path):
    res = run_script(VENV=str(tmp_path / 'none'))
    assert res.returncode == 1 and 'no virtual environment' in res.stderr
    assert not (tmp_path / 'none').exists()


def test_check_reports_this_venvs_build():
    import mmcv.ops
    cuda_build = mmcv.ops.get_compiling_cuda_version() != 'not available'
    same, other = ('1', '0') if cuda_build else ('0', '1')
    res = run_script(CUDA=same)
    assert res.returncode == 0, res.stderr
    if cuda_build:
        assert res.stdout.startswith('ops: CUDA ')
    else:
        assert res.stdout.strip() == 'ops: CPU only'
        assert 'mmcv 2.1.0 (ops: CPU only)' in res.stderr
        # without a GPU and with CUDA unset, any build passes and is named
        unset = run_script()
        assert unset.returncode == 0 and unset.stdout.strip() == 'ops: CPU only'
    assert 'mmcv.ops.nms ran on cpu' in res.stderr
    wrong = run_script(CUDA=other)
    assert wrong.returncode == 1
    if cuda_build:
        assert 'a CPU-only build was asked for' in wrong.stderr
    else:
        assert 'CUDA kernels were asked for, but this mmcv is a CPU-only build' in wrong.stderr
        assert "get_compiling_cuda_version() = 'not available'" in wrong.stderr


def test_an_arch_list_asks_for_cuda_kernels():
    import mmcv.ops
    res = run_script(TORCH_CUDA_ARCH_LIST='9.0')  # CUDA unset: the arch list means CUDA
    if mmcv.ops.get_compiling_cuda_version() == 'not available':
        assert res.returncode == 1 and 'CUDA kernels were asked for' in res.stderr
    else:
        assert res.returncode == 0 or 'lacks sm_90' in res.stderr, res.stderr


def test_check_passes_cuda_kernels_for_the_asked_arch(tmp_path):
    path = str(fake_mmcv(tmp_path, SM90))
    res = run_script(CUDA='1', TORCH_CUDA_ARCH_LIST='9.0', PYTHONPATH=path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == 'ops: CUDA 13.0 kernels, sm_90'
    assert 'mmcv 2.1.0 (ops: CUDA 13.0 kernels, sm_90): _ext.cpython-fake.so' in res.stderr
    for archs in ('9.0', '9.0a', '9.0+PTX', ''):
        assert probe('cuda', archs, tmp_path) == 0, archs
    assert probe('cuda', '8.0 9.0', tmp_path) == 3


def test_check_fails_on_a_missing_arch_or_the_wrong_kind(tmp_path):
    path = str(fake_mmcv(tmp_path, SM90))
    res = run_script(CUDA='1', TORCH_CUDA_ARCH_LIST='8.0;9.0+PTX', PYTHONPATH=path)
    assert res.returncode == 1 and 'lacks sm_80' in res.stderr and 'it has sm_90' in res.stderr
    res = run_script(CUDA='0', PYTHONPATH=path)
    assert res.returncode == 1 and 'a CPU-only build was asked for' in res.stderr


def test_check_fails_when_the_library_and_mmcv_disagree(tmp_path):
    cpu_lib = elf({'.text': b'\x90' * 24})
    res = run_script(CUDA='1', PYTHONPATH=str(fake_mmcv(tmp_path, cpu_lib, cuda='13.0')))
    assert res.returncode == 1
    assert "get_compiling_cuda_version() is '13.0', but the library holds no GPU code" \
        in res.stderr


def test_reads_the_kernels_of_a_real_cuda_library(tmp_path):
    # torchvision's compiled ops: nvcc's (compressed) fat binaries for several architectures
    import torchvision
    lib = sorted(Path(torchvision.__file__).parent.glob('_C*.so'))[0]
    path = fake_mmcv(tmp_path, lib)
    res = run_script(CUDA='1', TORCH_CUDA_ARCH_LIST='8.0;9.0', PYTHONPATH=str(path))
    assert res.returncode == 0, res.stderr
    kernels = re.fullmatch(r'ops: CUDA 13\.0 kernels, (.*)', res.stdout.strip()).group(1)
    assert {'sm_80', 'sm_90'} <= set(re.findall(r'sm_\d+', kernels))
    assert probe('cuda', '9.0', path) == 0
    assert probe('cuda', '3.5', path) == 3  # an arch it lacks: the set-up would rebuild mmcv
    assert probe('cpu', '', path) == 3


def test_probe_decides_whether_the_installed_mmcv_is_rebuilt(tmp_path):
    import mmcv.ops
    kind = 'cpu' if mmcv.ops.get_compiling_cuda_version() == 'not available' else 'cuda'
    other = {'cpu': 'cuda', 'cuda': 'cpu'}[kind]
    assert probe(kind) == 0 and probe(other) == 3
    empty = tmp_path / 'nothing'
    empty.mkdir()
    (empty / 'mmcv').mkdir()  # an mmcv without compiled ops
    (empty / 'mmcv' / '__init__.py').write_text('')
    assert probe('cpu', pythonpath=empty) == 3
