#!/usr/bin/env bash
# Creates a virtual environment with the pinned OpenMMLab stack and symmim_mm installed in it.
#
#   bash tools/setup_env.sh            # venv in ./.venv (override with VENV=/path)
#
# mmcv 2.1.0 has no prebuilt wheel with compiled ops on PyPI, so it is built from source:
# 10-30 minutes on 2 CPU cores the first time. pip caches the built wheel, so a later run
# on the same machine takes a few minutes. Re-running the script is safe (it is idempotent).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
JOBS=${MAX_JOBS:-$(nproc 2>/dev/null || echo 2)}

if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating virtual environment $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check)

echo "[setup] step 1/3: torch, torchvision and mmcv's build requirements"
"${PIP[@]}" -r "$ROOT/requirements/build.txt"

# torch >= 2.10 headers need C++20, but mmcv 2.1.0 hard-codes -std=c++17: a compiler
# wrapper puts -std=c++20 last on the command line.
CXX_WRAPPER="$VENV/bin/symmim-cxx20"
cat > "$CXX_WRAPPER" <<WRAP
#!/usr/bin/env bash
exec ${CXX:-g++} "\$@" -std=c++20
WRAP
chmod +x "$CXX_WRAPPER"

echo "[setup] step 2/3: OpenMMLab stack (mmcv compiles its ops from source: 10-30 min the first time)"
CXX="$CXX_WRAPPER" MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="$JOBS" \
  "${PIP[@]}" --no-build-isolation -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt"

if ! "$PY" -c "import mmcv.ops" 2>/dev/null; then
  echo "[setup] ERROR: mmcv was installed without its compiled ops (mmcv._ext)." >&2
  echo "[setup] A cached ops-less wheel is the usual cause: run 'pip cache remove mmcv' and retry." >&2
  exit 1
fi

echo "[setup] step 3/3: symmim_mm (editable)"
"${PIP[@]}" --no-build-isolation --no-deps -e "$ROOT"

"$PY" - <<'CHECK'
import mmcv, mmdet, mmengine, mmpretrain, mmseg, torch
import symmim_mm  # noqa: F401  (registers SymMIM into MMPretrain)
print(f'[setup] ok: torch {torch.__version__}, mmengine {mmengine.__version__}, '
      f'mmcv {mmcv.__version__} (ops), mmpretrain {mmpretrain.__version__}, '
      f'mmdet {mmdet.__version__}, mmseg {mmseg.__version__}')
CHECK
echo "[setup] activate with: source $VENV/bin/activate"
