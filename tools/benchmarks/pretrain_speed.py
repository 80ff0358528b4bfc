"""Speed and memory of pretraining steps: SymMIM vs a SimMIM-style ViT vs MMPretrain's MAE.

    python tools/benchmarks/pretrain_speed.py --arch base --batch-size 8       # CPU
    python tools/benchmarks/pretrain_speed.py --arch large --amp bf16 --json speed.json
    python tools/benchmarks/pretrain_speed.py --methods symmim mine=path/to/config.py

Every model and its optimizer wrapper are built from the method's config, as the
Runner does, and a step is the model's own ``train_step(data, optim_wrapper)`` on
batches drawn through the config's training pipeline: forward, backward, the config's
gradient clipping and AdamW, SymMIM's momentum update, in the config's mixed
precision (``--amp`` overrides it; a CPU runs fp32, as AMP needs a GPU). Methods are
timed one after another (median of ``--repeats`` steps after ``--warmup``); FLOPs are
counted with ``torch.utils.flop_counter``. MFU is given against a large GEMM measured
in the same run and, on H100/H200 (A100), against the dense bf16 peak. Memory: peak
allocation on CUDA; on a CPU, the peak resident-memory growth of a fresh process
per method. ``--compile`` compiles the ViT encoders with ``torch.compile``.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile

import torch
from mmengine.logging import MessageHub, MMLogger

import symmim_mm  # noqa: F401
from symmim_mm.benchmarks.pipeline import (build_pipeline, mask_share, transform_seconds,
                                           write_photo)
from symmim_mm.benchmarks.speed import (build_model, build_optimizer, compile_encoders,
                                        count_flops, dense_bf16_peak, gemm_flops_per_s,
                                        load_config, make_batches, peak_memory, reset_peak_memory,
                                        step_figures, time_steps)

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs')
EPOCHS = {'base': 800, 'large': 1600}
# method -> (config, options); {arch} and {epochs} from --arch
METHODS = {
    'simmim': ('simmim/simmim_vit-{arch}-p16_8xb256-amp-coslr-{epochs}e_in1k.py', {}),
    'symmim': ('symmim/symmim_vit-{arch}-p16_8xb256-amp-coslr-{epochs}e_in1k.py', {}),
    'symmim_inplace':
    ('symmim/symmim-inplace_vit-{arch}-p16_8xb256-amp-coslr-{epochs}e_in1k.py', {}),
    'mae': ('mmpretrain::mae/mae_vit-{arch}-p16_8xb512-amp-coslr-{epochs}e_in1k.py', {}),
}
NAMES = {
    'simmim': 'SimMIM-style ViT',
    'symmim': 'SymMIM (visible half, two views)',
    'symmim_inplace': 'SymMIM, mask tokens in place (literal)',
    'mae': 'MAE (MMPretrain)'
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', default='base', choices=sorted(EPOCHS))
    parser.add_argument(
        '--methods',
        nargs='+',
        default=list(METHODS),
        help=f'names from {sorted(METHODS)} or NAME=CONFIG')
    parser.add_argument(
        '--reference',
        help='method the ratios divide by (default: simmim '
        'if measured, else the first)')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--batch-size', type=int, help='per step (default: 256 on CUDA, 8 '
        'on a CPU)')
    parser.add_argument(
        '--amp',
        choices=['fp16', 'bf16'],
        help='mixed precision instead of the config\'s (GPU only)')
    parser.add_argument(
        '--compile',
        nargs='?',
        const='inductor',
        metavar='BACKEND',
        help='torch.compile the encoders (default backend: inductor)')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--repeats', type=int, default=10)
    parser.add_argument('--threads', type=int, default=0, help='torch threads (0: default)')
    parser.add_argument('--json', help='also write the figures to this JSON file')
    parser.add_argument('--memory-of', help=argparse.SUPPRESS)  # child process mode
    args = parser.parse_args(argv)
    args.batch_size = args.batch_size or (256 if args.device.startswith('cuda') else 8)
    if args.batch_size < 2:
        parser.error(f'--batch-size {args.batch_size}: at least 2 (the BatchNorm of SymMIM\'s '
                     'projector and predictor needs two samples)')
    return args


def method_config(args: argparse.Namespace, method: str):
    """``(name, Config)`` of a method name or ``NAME=CONFIG``."""
    if '=' in method:
        name, path = method.split('=', 1)
        return name, load_config(path)
    if method not in METHODS:
        raise SystemExit(f'unknown method {method!r}: use one of {sorted(METHODS)} or '
                         'NAME=CONFIG')
    path, options = METHODS[method]
    path = path.format(arch=args.arch, epochs=EPOCHS[args.arch])
    return method, load_config(path if '::' in path else osp.join(CONFIGS, path), options)


def measure(args: argparse.Namespace, cfg, image: str, flops: bool = True) -> dict:
    """Build one method, count its FLOPs, time its steps, take its peak memory."""
    batches = make_batches(cfg, image, args.batch_size, pin_memory=args.device.startswith('cuda'))
    base = reset_peak_memory(args.device)
    model = build_model(cfg, args.device)
    optim_wrapper = build_optimizer(model, cfg, args.device, args.amp)
    result = dict(flops=count_flops(model, optim_wrapper, batches[0]) if flops else 0)
    if args.compile:
        result['compiled'] = compile_encoders(model, backend=args.compile)
    result['step_s'] = time_steps(model, optim_wrapper, batches, args.device, args.warmup,
                                  args.repeats)
    result['memory_bytes'] = peak_memory(args.device) - base
    result['optim_wrapper'] = type(optim_wrapper).__name__
    result['amp_dtype'] = str(getattr(optim_wrapper, 'cast_dtype', None) or 'float32')
    return result


def memory_in_fresh_process(args: argparse.Namespace, method: str) -> int:
    cmd = [
        sys.executable, __file__, '--memory-of', method, '--arch', args.arch, '--device',
        args.device, '--batch-size',
        str(args.batch_size), '--threads',
        str(args.threads), '--warmup', '1', '--repeats', '1'
    ]
    cmd += ['--amp', args.amp] if args.amp else []
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f'memory of {method} failed:\n{proc.stderr[-3000:]}')
    return int(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    args = parse_args(argv)
    MMLogger.get_instance('benchmark', log_level='ERROR')  # no per-parameter logs
    MessageHub.get_current_instance().update_info('max_iters', 10**6)  # SymMIM's EMA
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        image = write_photo(osp.join(tmp, 'photo.jpg'))
        if args.memory_of:
            print(
                measure(args, method_config(args, args.memory_of)[1], image,
                        flops=False)['memory_bytes'])
            return
        run(args, image)


def run(args: argparse.Namespace, image: str) -> None:
    on_cuda = args.device.startswith('cuda')
    device_name = torch.cuda.get_device_name(args.device) if on_cuda else 'CPU'
    print(
        f'ViT-{args.arch}, batch {args.batch_size}, {device_name}, amp '
        f'{args.amp or "as configured"}, compile {args.compile or "off"}, '
        f'{torch.get_num_threads()} threads',
        flush=True)
    if not on_cuda:
        print('AMP needs a GPU: steps run in fp32 with OptimWrapper here', flush=True)
    dtype = torch.bfloat16 if on_cuda and args.amp == 'bf16' else \
        torch.float16 if on_cuda else torch.float32
    gemm = gemm_flops_per_s(args.device, dtype)
    dense = dense_bf16_peak(args.device)
    steps, cfgs = {}, {}
    for method in args.methods:
        name, cfgs[name] = method_config(args, method)
        steps[name] = measure(args, cfgs[name], image)
        if not on_cuda:  # this process's heap keeps freed memory: a fresh one per method
            steps[name]['memory_bytes'] = memory_in_fresh_process(args, method)
        print(f"  {name}: {steps[name]['step_s']:.3f} s/step", flush=True)
    ref = args.reference or ('simmim' if 'simmim' in steps else next(iter(steps)))
    rows = step_figures(steps, ref, args.batch_size, gemm, dense)
    for name, row in rows.items():
        row.update(
            config=cfgs[name].filename,
            compiled=steps[name].get('compiled', []),
            **{k: steps[name][k]
               for k in ('optim_wrapper', 'amp_dtype')})
    symmim = next((name for name in cfgs if name.startswith('symmim')), None)
    pipe = None
    if symmim is not None:  # where SymMIM's mask generator spends its time
        pipe = mask_share(transform_seconds(build_pipeline(cfgs[symmim]), [image], 200))
    print_table(args, rows, ref, gemm, dense, pipe)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(
                dict(
                    config=dict(vars(args), threads=torch.get_num_threads()),
                    device=device_name,
                    gemm_peak_flop_s=gemm,
                    dense_peak_flop_s=dense,
                    reference=ref,
                    methods=rows,
                    mask_generator=pipe),
                f,
                indent=2)
        print(f'figures written to {args.json}')


def print_table(args, rows: dict, ref: str, gemm: float, dense, pipe) -> None:
    print(f'\nlarge-GEMM peak (same run): {gemm / 1e12:.3f} TFLOP/s' +
          (f'; dense bf16 peak: {dense / 1e12:.0f} TFLOP/s' if dense else ''))
    print(f'\n| method | step (s) | images/s | images/s / {ref} | memory (MiB) | '
          f'memory / {ref} | GFLOP/step | TFLOP/s | MFU (GEMM) | MFU (dense peak) |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for name, r in rows.items():
        dense_mfu = f"{100 * r['mfu_dense_peak']:.1f} %" if r['mfu_dense_peak'] else '-'
        print(f"| {NAMES.get(name, name)} | {r['step_s']:.3f} | {r['images_per_s']:.1f} | "
              f"{r['images_per_s_ratio']:.2f} | {r['memory_mib']:.0f} | "
              f"{r['memory_ratio']:.2f} | {r['gflop_per_step']:.1f} | "
              f"{r['achieved_tflop_s']:.3f} | {100 * r['mfu']:.1f} % | {dense_mfu} |")
    if pipe:
        print(f"\nmask generator: {1e6 * pipe['mask_s']:.1f} µs/sample = "
              f"{100 * pipe['mask_fraction']:.2f} % of the training pipeline "
              f"({1e3 * pipe['pipeline_s']:.2f} ms/sample: decode, crop, flip, masks, pack)")


if __name__ == '__main__':
    os.environ.setdefault('PYTHONUNBUFFERED', '1')
    main()
