#!/usr/bin/env bash
# One-GPU benchmark of the shipped configs, about 8 minutes on one H100:
#
#   bash tools/benchmarks/gpu_benchmark.sh [OUT_DIR]      # default: work_dirs/gpu_benchmark
#
# 1. pretrain_speed.py for ViT-B/16 and ViT-L/16 at 224 px with bf16: images/s, peak
#    memory, ratios to the SimMIM-style ViT, MFU against the dense bf16 peak and a GEMM
#    of the same run; SymMIM ViT-B again with torch.compile'd encoders.
# 2. data_speed.py: images/s of the pretraining pipeline per loading process, and the
#    processes the measured SymMIM rate needs.
# 3. tools/train.py of the real SymMIM ViT-B pretraining config on synthetic ImageNet,
#    AMP bf16, with the config's loader (its num_workers): PRETRAIN_EPOCHS epochs of
#    PRETRAIN_EPOCH_ITERS iterations (the images repeated), every iteration logged.
#    images/s = images / wall time and data wait = time waiting for batches / wall time,
#    both summed over the whole epochs after the first (no medians: the waits of a loader
#    that cannot keep up may all fall in a few iterations per epoch).
# 4. tools/train.py of the Mask R-CNN and UperNet configs (synthetic COCO / ADE20K),
#    ~20 iterations each: seconds per iteration.
# Writes OUT_DIR/gpu_benchmark.{json,md} (and each step's JSON and logs). A step that fails
# is reported and skipped; the script then exits with 1 after the report.
#
# Environment (defaults for one GPU): PYTHON (python), DEVICE (cuda), AMP (bf16;
# empty: as configured), ARCHS ("base large"), BATCH_BASE (256), BATCH_LARGE (128),
# SPEED_ARGS (extra pretrain_speed.py arguments, e.g. --methods NAME=CONFIG),
# COMPILE_METHODS (symmim; empty: skip), COMPILE_BACKEND (inductor), DATA_ARGS (extra
# data_speed.py arguments), PRETRAIN_CONFIG, PRETRAIN_BATCH (256), PRETRAIN_EPOCHS (3:
# the first not timed), PRETRAIN_EPOCH_ITERS (100), NUM_IMAGES (5120 JPEG files),
# WORKERS (data-loading processes per run; default: each config's num_workers),
# DET_CONFIG, SEG_CONFIG, DOWNSTREAM_ITERS (20), DET_BATCH (4), SEG_BATCH (2), STEPS
# ("speed data pretrain det seg"). DEVICE=cpu swaps AMP for fp32 (CPU test runs).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-work_dirs/gpu_benchmark}"
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd)"
PY="${PYTHON:-python}"
DEVICE="${DEVICE:-cuda}"
AMP="${AMP-bf16}"
ARCHS="${ARCHS:-base large}"
PRETRAIN_CONFIG="${PRETRAIN_CONFIG:-$ROOT/configs/symmim/symmim_vit-base-p16_8xb256-amp-coslr-800e_in1k.py}"
DET_CONFIG="${DET_CONFIG:-$ROOT/configs/mmdet/mask-rcnn_symmim-vit-base-p16_lsj-100e_coco.py}"
SEG_CONFIG="${SEG_CONFIG:-$ROOT/configs/mmseg/upernet_symmim-vit-base-p16_8xb2-amp-160k_ade20k-512x512.py}"
PRETRAIN_BATCH="${PRETRAIN_BATCH:-256}"
PRETRAIN_EPOCHS="${PRETRAIN_EPOCHS:-3}"
PRETRAIN_EPOCH_ITERS="${PRETRAIN_EPOCH_ITERS:-100}"
NUM_IMAGES="${NUM_IMAGES:-5120}"
WORKERS="${WORKERS:-}"
DOWNSTREAM_ITERS="${DOWNSTREAM_ITERS:-20}"
STEPS="${STEPS:-speed data pretrain det seg}"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

has_step() { [[ " $STEPS " == *" $1 "* ]]; }
log() { echo "[$(date +%H:%M:%S)] $*"; }
FAILED=()
failed() { log "FAILED: $1 (see its log in $OUT)"; FAILED+=("$1"); }

# AMP on a GPU; fp32 OptimWrapper on a CPU (MMEngine's AmpOptimWrapper needs a GPU).
SPEED_AMP=() TRAIN_AMP=() TRAIN_OPTS=() LOADER_OPTS=()
if [[ "$DEVICE" == cpu ]]; then
    TRAIN_OPTS=(optim_wrapper.type=OptimWrapper)
elif [[ -n "$AMP" ]]; then
    SPEED_AMP=(--amp "$AMP") TRAIN_AMP=(--amp "$AMP")
fi
if [[ -n "$WORKERS" ]]; then LOADER_OPTS=(train_dataloader.num_workers="$WORKERS"); fi
# Log every iteration unsmoothed, save no checkpoint, no evaluation.
LOG_OPTS=(default_hooks.logger.interval=1 log_processor.window_size=1
          default_hooks.checkpoint.interval=-1 default_hooks.checkpoint.save_last=False)

train() {  # NAME CONFIG BATCH ITER_OPTS... : tools/train.py, run from $OUT (data/ is there)
    local name=$1 config=$2 batch=$3; shift 3
    log "train $name: $(basename "$config")"
    (cd "$OUT" && "$PY" "$ROOT/tools/train.py" "$config" --work-dir "$OUT/work_dirs/$name" \
        --no-validate "${TRAIN_AMP[@]}" --cfg-options "${TRAIN_OPTS[@]}" "${LOG_OPTS[@]}" \
        train_dataloader.batch_size="$batch" "${LOADER_OPTS[@]}" "$@") > "$OUT/$name.log" 2>&1 \
        || { tail -n 40 "$OUT/$name.log"; failed "$name"; return 1; }
}

RUNS=()
if has_step speed; then
    for arch in $ARCHS; do
        batch="${BATCH_BASE:-256}"; [[ "$arch" == large ]] && batch="${BATCH_LARGE:-128}"
        log "pretrain_speed: ViT-$arch, batch $batch"
        # shellcheck disable=SC2086
        "$PY" "$ROOT/tools/benchmarks/pretrain_speed.py" --arch "$arch" --device "$DEVICE" \
            --batch-size "$batch" "${SPEED_AMP[@]}" --json "$OUT/speed_$arch.json" \
            ${SPEED_ARGS:-} 2>&1 | tee "$OUT/speed_$arch.log" || failed "speed_$arch"
    done
    if [[ -n "${COMPILE_METHODS-symmim}" ]]; then
        log "pretrain_speed: ViT-base, compiled encoders (${COMPILE_METHODS:-symmim})"
        # shellcheck disable=SC2086
        "$PY" "$ROOT/tools/benchmarks/pretrain_speed.py" --arch base --device "$DEVICE" \
            --batch-size "${BATCH_BASE:-256}" "${SPEED_AMP[@]}" \
            --compile "${COMPILE_BACKEND:-inductor}" \
            --json "$OUT/speed_base_compiled.json" ${SPEED_ARGS:-} \
            --methods ${COMPILE_METHODS:-symmim} 2>&1 | tee "$OUT/speed_base_compiled.log" \
            || failed speed_base_compiled
    fi
fi

if has_step data; then
    rate=$("$PY" -c "import json,sys; m=json.load(open(sys.argv[1]))['methods']; \
print(m.get('symmim', next(iter(m.values())))['images_per_s'])" "$OUT/speed_base.json" \
        2>/dev/null || echo 2000)
    log "data_speed (a GPU at $rate images/s)"
    # shellcheck disable=SC2086
    "$PY" "$ROOT/tools/benchmarks/data_speed.py" --config "$PRETRAIN_CONFIG" \
        --gpu-images-per-s "$rate" --json "$OUT/data_speed.json" ${DATA_ARGS:-} 2>&1 \
        | tee "$OUT/data_speed.log" || failed data_speed
fi

if has_step pretrain; then
    log "synthetic ImageNet: $NUM_IMAGES images"
    "$PY" "$ROOT/tools/misc/make_fake_data.py" --imagenet "$OUT/data/imagenet" \
        --num "$NUM_IMAGES" --num-val 2
    # Epochs of PRETRAIN_EPOCH_ITERS full batches: the files repeated (RepeatDataset).
    times=$(( (PRETRAIN_EPOCH_ITERS * PRETRAIN_BATCH + NUM_IMAGES - 1) / NUM_IMAGES ))
    cat > "$OUT/pretrain_config.py" <<EOF
_base_ = ['$PRETRAIN_CONFIG']
train_dataloader = dict(drop_last=True, dataset=dict(
    _delete_=True, type='RepeatDataset', times=$times, dataset=_base_.train_dataloader.dataset))
EOF
    train pretrain "$OUT/pretrain_config.py" "$PRETRAIN_BATCH" \
        train_cfg.max_epochs="$PRETRAIN_EPOCHS" &&
        RUNS+=(--run "pretrain=$OUT/work_dirs/pretrain:$PRETRAIN_BATCH:1")
fi

DOWNSTREAM_NUM=$(( DOWNSTREAM_ITERS * 4 ))
if has_step det; then
    "$PY" "$ROOT/tools/misc/make_fake_data.py" --coco "$OUT/data/coco" --num "$DOWNSTREAM_NUM"
    train det "$DET_CONFIG" "${DET_BATCH:-4}" train_cfg.max_iters="$DOWNSTREAM_ITERS" \
        model.backbone.init_cfg=None && RUNS+=(--run "det=$OUT/work_dirs/det:${DET_BATCH:-4}:2")
fi
if has_step seg; then
    "$PY" "$ROOT/tools/misc/make_fake_data.py" --ade "$OUT/data/ade/ADEChallengeData2016" \
        --num "$DOWNSTREAM_NUM"
    train seg "$SEG_CONFIG" "${SEG_BATCH:-2}" train_cfg.max_iters="$DOWNSTREAM_ITERS" \
        model.backbone.init_cfg=None && RUNS+=(--run "seg=$OUT/work_dirs/seg:${SEG_BATCH:-2}:2")
fi

log "report"
"$PY" -m symmim_mm.benchmarks.gpu_report "$OUT" "${RUNS[@]}"
log "written: $OUT/gpu_benchmark.json, $OUT/gpu_benchmark.md"
if (( ${#FAILED[@]} )); then
    log "failed steps: ${FAILED[*]}"
    exit 1
fi
