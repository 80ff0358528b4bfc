#!/usr/bin/env bash
# Creates a virtual environment with the pinned OpenMMLab stack and symmim_mm installed in it.
#
#   bash tools/setup_env.sh                                  # venv in ./.venv (or VENV=/path)
#   CUDA=1 TORCH_CUDA_ARCH_LIST=9.0 bash tools/setup_env.sh  # + mmcv's CUDA kernels for sm_90
#   SETUP_CHECK_ONLY=1 bash tools/setup_env.sh               # only the check of an existing venv
#
# mmcv 2.1.0 has no prebuilt wheel with compiled ops on PyPI, so it is built from source:
# 10-30 minutes on 2 CPU cores the first time. pip caches the built wheel, so a later run
# on the same machine takes a few minutes. Re-running the script is safe (it is idempotent).
# With CUDA kernels for one architecture it takes about 65 minutes on 2 cores (MAX_JOBS=1).
#
# CUDA chooses the kind of mmcv ops that is built:
#   unset  CUDA kernels when torch sees a GPU or TORCH_CUDA_ARCH_LIST is set, else CPU only
#   0      CPU only (what CI builds)
#   1      CPU and CUDA kernels, with or without a GPU (compiling needs none). nvcc is
#          $CUDA_HOME/bin/nvcc when CUDA_HOME is set, else the nvcc of torch's CUDA release
#          from PyPI (requirements/cuda.txt), installed into the venv.
# TORCH_CUDA_ARCH_LIST: the GPU architectures to compile for, e.g. "8.0;9.0" (A100 and H100).
# Default: those of the visible GPUs, or 9.0 (H100/H200) without one. Every architecture
# compiles all 58 CUDA files again. CUDA builds are cached by pip apart from CPU builds.
# The final check says which kind was built and fails if it is not the kind asked for; with
# a GPU it runs mmcv.ops.nms on a CUDA tensor.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
JOBS=${MAX_JOBS:-$(nproc 2>/dev/null || echo 2)}
CHECK_ONLY=${SETUP_CHECK_ONLY:-0}

case "${CUDA:-}" in
  ''|0|1) ;;
  *) echo "[setup] ERROR: CUDA must be unset, 0 or 1 (got '$CUDA')" >&2; exit 2 ;;
esac

# What mmcv's compiled ops hold: the kind (CPU only, or CUDA kernels for which GPU
# architectures), read from mmcv._ext itself. `probe` only reads the shared library (no import);
# `check` imports mmcv.ops, runs nms (on the GPU too, when there is one) and prints the result.
# SETUP_WANT: cpu, cuda or any; SETUP_ARCHS: the TORCH_CUDA_ARCH_LIST the kernels must cover.
IFS= read -r -d '' MMCV_CHECK <<'PYCHECK' || true
import glob
import importlib.util
import os
import struct
import sys


def fatbin_archs(path):
    """The GPU code in the .nv_fatbin section of an ELF library: {'sm_90', 'compute_90', ...}."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF' or data[4] != 2:
        return set()
    e = '<' if data[5] == 1 else '>'
    shoff, = struct.unpack_from(e + 'Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(e + 'HHH', data, 0x3A)
    sections = [struct.unpack_from(e + 'IIQQQQ', data, shoff + i * shentsize)
                for i in range(shnum)]
    names = sections[shstrndx][4]
    archs = set()
    for name, _, _, _, offset, size in sections:
        if data[names + name:data.index(b'\0', names + name)] != b'.nv_fatbin':
            continue
        pos, end = offset, offset + size
        while pos + 16 <= end:  # one fat binary per compiled .cu file
            magic, _, header, fat_size = struct.unpack_from(e + 'IHHQ', data, pos)
            if magic != 0xBA55ED50:
                pos += 8
                continue
            entry, stop = pos + header, pos + header + fat_size
            while entry + 32 <= stop:  # kind 2: cubin (SASS), 1: PTX; the architecture at 28
                kind, _, entry_header, payload = struct.unpack_from(e + 'HHIQ', data, entry)
                arch, = struct.unpack_from(e + 'I', data, entry + 28)
                archs.add(('sm_%d' if kind == 2 else 'compute_%d') % arch)
                entry += entry_header + payload
            pos = stop
    return archs


def wanted_archs(arch_list):
    """TORCH_CUDA_ARCH_LIST ('8.0;9.0+PTX') as the cubins it asks for ({'sm_80', 'sm_90'})."""
    archs = set()
    for item in arch_list.replace(',', ';').replace(' ', ';').split(';'):
        item = item.strip().replace('+PTX', '').rstrip('af')  # 9.0a: sm_90 in the fat binary
        if item and item[0].isdigit() and '.' in item:
            archs.add('sm_' + item.replace('.', ''))
    return archs


def fail(msg):
    print(f'[setup] ERROR: {msg}', file=sys.stderr)
    sys.exit(1)


mode = sys.argv[1]
want = os.environ.get('SETUP_WANT', 'any')
need = wanted_archs(os.environ.get('SETUP_ARCHS', ''))
spec = importlib.util.find_spec('mmcv')  # finds the package without importing it
if spec is None:
    if mode == 'probe':
        sys.exit(0)
    fail('mmcv is not installed')
libs = glob.glob(os.path.join(spec.submodule_search_locations[0], '_ext*.so'))
if mode == 'check':
    try:
        import mmcv
        import mmcv.ops
        ext = sys.modules['mmcv._ext']
    except (ImportError, KeyError) as err:
        fail(f'mmcv was installed without its compiled ops (mmcv._ext): {err}. '
             "A cached ops-less wheel is the usual cause: run 'pip cache remove mmcv' and retry.")
    libs = [ext.__file__]
if not libs:
    sys.exit(3)  # probe: ops-less mmcv
lib = libs[0]
archs = fatbin_archs(lib)
cubins = sorted((a for a in archs if a.startswith('sm_')), key=lambda a: int(a[3:].rstrip('af')))
kind = 'cuda' if archs else 'cpu'
if mode == 'probe':
    ok = want in ('any', kind) and (kind == 'cpu' or need <= archs)
    sys.exit(0 if ok else 3)

import torch

cuda_version = mmcv.ops.get_compiling_cuda_version()  # 'not available' in a CPU-only build
where = os.path.basename(lib)
if (cuda_version != 'not available') != bool(archs):
    fail(f'{where}: get_compiling_cuda_version() is {cuda_version!r}, but the library holds '
         f'{"GPU code for " + ", ".join(sorted(archs)) if archs else "no GPU code"}')
if kind == 'cpu':
    ops = 'ops: CPU only'
else:
    ops = f'ops: CUDA {cuda_version} kernels, {", ".join(cubins) or "PTX only"}'
    ptx = sorted(a for a in archs if a.startswith('compute_'))
    if ptx:
        ops += f' + PTX {", ".join(ptx)}'
print(f'[setup] mmcv {mmcv.__version__} ({ops}): {where}, '
      f'built with {mmcv.ops.get_compiler_version()}', file=sys.stderr)
if want == 'cuda' and kind == 'cpu':
    fail(f'CUDA kernels were asked for, but this mmcv is a CPU-only build ({where} has no GPU '
         f'code, get_compiling_cuda_version() = {cuda_version!r}). Uninstall it '
         "('pip uninstall mmcv') and run the set-up again with CUDA=1.")
if want == 'cpu' and kind == 'cuda':
    fail('a CPU-only build was asked for, but this mmcv has CUDA kernels: uninstall it '
         "('pip uninstall mmcv') and run the set-up again with CUDA=0, or use CUDA=1.")
if kind == 'cuda' and not need <= archs:
    fail(f'{where} lacks {", ".join(sorted(need - archs))} '
         f'(TORCH_CUDA_ARCH_LIST={os.environ.get("SETUP_ARCHS")!r}); it has {", ".join(cubins)}')

boxes = [[0., 0., 10., 10.], [1., 1., 11., 11.], [20., 20., 30., 30.]]
scores = [0.9, 0.8, 0.7]
devices = ['cpu'] + (['cuda'] if kind == 'cuda' and torch.cuda.is_available() else [])
for device in devices:
    _, keep = mmcv.ops.nms(torch.tensor(boxes, device=device),
                           torch.tensor(scores, device=device), 0.5)
    if keep.tolist() != [0, 2]:
        fail(f'mmcv.ops.nms on {device} kept boxes {keep.tolist()}, expected [0, 2]')
print(f'[setup] mmcv.ops.nms ran on {" and ".join(devices)}', file=sys.stderr)
if kind == 'cpu' and torch.cuda.is_available():
    print('[setup] WARNING: a GPU is visible but the ops are CPU only: detectors fail on it '
          '(NMS, RoIAlign). CUDA=1 builds the CUDA kernels.', file=sys.stderr)
print(ops)
PYCHECK

if [ "$CHECK_ONLY" = 1 ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] ERROR: no virtual environment at $VENV" >&2
    exit 1
  fi
elif [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating virtual environment $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check)

if [ "$CHECK_ONLY" != 1 ]; then
  echo "[setup] step 1/3: torch, torchvision and mmcv's build requirements"
  "${PIP[@]}" -r "$ROOT/requirements/build.txt"
fi

# The visible GPUs' architectures ("9.0", "8.0;9.0"), empty without a GPU.
GPU_ARCHS=$("$PY" -c 'import torch
if torch.cuda.is_available():
    caps = sorted({torch.cuda.get_device_capability(i) for i in range(torch.cuda.device_count())})
    print(";".join(f"{a}.{b}" for a, b in caps))' 2>/dev/null || true)
if [ "$CHECK_ONLY" = 1 ]; then
  case "${CUDA:-}" in
    1) WANT=cuda ;;
    0) WANT=cpu ;;
    *) if [ -n "$GPU_ARCHS${TORCH_CUDA_ARCH_LIST:-}" ]; then WANT=cuda; else WANT=any; fi ;;
  esac
  SETUP_WANT=$WANT SETUP_ARCHS=${TORCH_CUDA_ARCH_LIST:-$GPU_ARCHS} "$PY" -c "$MMCV_CHECK" check
  exit
fi

case "${CUDA:-}" in
  1) WANT=cuda ;;
  0) WANT=cpu ;;
  *) if [ -n "$GPU_ARCHS${TORCH_CUDA_ARCH_LIST:-}" ]; then WANT=cuda; else WANT=cpu; fi ;;
esac

# torch >= 2.10 headers need C++20, but mmcv 2.1.0 hard-codes -std=c++17: a compiler
# wrapper puts -std=c++20 last on the command line.
CXX_WRAPPER="$VENV/bin/symmim-cxx20"
cat > "$CXX_WRAPPER" <<WRAP
#!/usr/bin/env bash
exec ${CXX:-g++} "\$@" -std=c++20
WRAP
chmod +x "$CXX_WRAPPER"

BUILD_ENV=(CXX="$CXX_WRAPPER" MMCV_WITH_OPS=1 MAX_JOBS="$JOBS")
ARCHS=
BUILD_TIME="10-30 min"
if [ "$WANT" = cuda ]; then
  TORCH_CUDA=$("$PY" -c 'import torch; print(torch.version.cuda or "")')
  if [ -z "$TORCH_CUDA" ]; then
    echo "[setup] ERROR: CUDA kernels were asked for, but this torch is a CPU-only build" >&2
    exit 1
  fi
  if [ -z "${CUDA_HOME:-}" ]; then
    echo "[setup] CUDA toolchain: nvcc for torch's CUDA $TORCH_CUDA (requirements/cuda.txt)"
    "${PIP[@]}" -r "$ROOT/requirements/cuda.txt"
    CUDA_HOME=$("$PY" -c 'import glob, os, sysconfig
site = sysconfig.get_paths()["purelib"]
nvcc = sorted(glob.glob(os.path.join(site, "nvidia", "cu*", "bin", "nvcc")))
print(os.path.dirname(os.path.dirname(nvcc[-1])) if nvcc else "")')
    if [ -z "$CUDA_HOME" ]; then
      echo "[setup] ERROR: requirements/cuda.txt installed no nvcc" >&2
      exit 1
    fi
    # torch links CUDA extensions with -lcudart; the wheel has only libcudart.so.<major>
    if [ ! -e "$CUDA_HOME/lib/libcudart.so" ]; then
      for so in "$CUDA_HOME"/lib/libcudart.so.[0-9]*; do
        [ -e "$so" ] && ln -s "$(basename "$so")" "$CUDA_HOME/lib/libcudart.so"
        break
      done
    fi
  fi
  NVCC="$CUDA_HOME/bin/nvcc"
  if [ ! -x "$NVCC" ]; then
    echo "[setup] ERROR: no nvcc at $NVCC (CUDA_HOME=$CUDA_HOME)" >&2
    exit 1
  fi
  NVCC_CUDA=$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')
  if [ "${NVCC_CUDA%%.*}" != "${TORCH_CUDA%%.*}" ]; then
    echo "[setup] ERROR: $NVCC is CUDA $NVCC_CUDA, torch was built with CUDA $TORCH_CUDA" >&2
    echo "[setup] Point CUDA_HOME at a CUDA $TORCH_CUDA toolkit, or unset it (nvcc from PyPI)" >&2
    exit 1
  fi
  ARCHS=${TORCH_CUDA_ARCH_LIST:-${GPU_ARCHS:-9.0}}
  # nvcc gets -std=c++20 in place of mmcv's -std=c++17 (torch runs $PYTORCH_NVCC as nvcc)
  NVCC_WRAPPER="$VENV/bin/symmim-nvcc-cxx20"
  cat > "$NVCC_WRAPPER" <<WRAP
#!/usr/bin/env bash
args=()
for arg in "\$@"; do case "\$arg" in -std=*) ;; *) args+=("\$arg") ;; esac; done
exec "$NVCC" "\${args[@]}" -std=c++20
WRAP
  chmod +x "$NVCC_WRAPPER"
  # pip's wheel cache does not know FORCE_CUDA: CUDA wheels get a cache of their own
  CACHE_TAG="cuda$NVCC_CUDA-arch${ARCHS//[^0-9A-Za-z.]/_}"
  CUDA_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/pip-mmcv-$CACHE_TAG"
  BUILD_ENV+=(FORCE_CUDA=1 CUDA_HOME="$CUDA_HOME" PYTORCH_NVCC="$NVCC_WRAPPER"
              TORCH_CUDA_ARCH_LIST="$ARCHS" PIP_CACHE_DIR="$CUDA_CACHE")
  BUILD_TIME="about 1 h on 2 cores for one architecture"
  echo "[setup] mmcv ops: CUDA $NVCC_CUDA kernels for TORCH_CUDA_ARCH_LIST=$ARCHS ($NVCC)"
else
  BUILD_ENV+=(FORCE_CUDA=0)
  echo "[setup] mmcv ops: CPU only${GPU_ARCHS:+, although a GPU is visible (CUDA=0)}" \
       "(CUDA=1 adds CUDA kernels)"
fi

# an mmcv of the other kind (or for other GPUs) already in the venv would count as installed
if ! SETUP_WANT=$WANT SETUP_ARCHS=$ARCHS "$PY" -c "$MMCV_CHECK" probe; then
  echo "[setup] the installed mmcv's ops are not the kind asked for: rebuilding mmcv"
  "$PY" -m pip uninstall -y mmcv
fi

echo "[setup] step 2/3: OpenMMLab stack (mmcv compiles its ops from source:" \
     "$BUILD_TIME the first time)"
env "${BUILD_ENV[@]}" "${PIP[@]}" --no-build-isolation \
  -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt"

OPS=$(SETUP_WANT=$WANT SETUP_ARCHS=$ARCHS "$PY" -c "$MMCV_CHECK" check)

echo "[setup] step 3/3: symmim_mm (editable)"
"${PIP[@]}" --no-build-isolation --no-deps -e "$ROOT"

OPS="$OPS" "$PY" - <<'CHECK'
import os
import mmcv, mmdet, mmengine, mmpretrain, mmseg, torch
import symmim_mm  # noqa: F401  (registers SymMIM into MMPretrain)
print(f'[setup] ok: torch {torch.__version__}, mmengine {mmengine.__version__}, '
      f'mmcv {mmcv.__version__} ({os.environ["OPS"]}), mmpretrain {mmpretrain.__version__}, '
      f'mmdet {mmdet.__version__}, mmseg {mmseg.__version__}')
CHECK
echo "[setup] activate with: source $VENV/bin/activate"
