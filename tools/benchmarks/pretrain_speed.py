"""Speed and memory of one pretraining step: SymMIM vs a SimMIM-style ViT vs MMPretrain's MAE.

    python tools/benchmarks/pretrain_speed.py --arch base --img-size 224 --batch-size 8
    python tools/benchmarks/pretrain_speed.py --device cuda --bf16 --json speed.json

Steps (forward, backward, AdamW, EMA update) of all methods run interleaved in one
process after warm-up; the table gives median images/s, training memory, the ratios
of both to the SimMIM-style step, and achieved FLOP/s as a fraction of this
machine's large-GEMM FLOP/s measured in the same run. CPU memory is measured in a
fresh process per method (peak RSS growth), CUDA memory as peak allocation.
"""
import argparse
import json
import subprocess
import sys

import torch
from mmengine.logging import MessageHub, MMLogger
from mmengine.registry import init_default_scope

import symmim_mm  # noqa: F401
from symmim_mm.benchmarks import (StepRunner, gemm_flops_per_s, pipeline_times, time_interleaved,
                                  training_memory)

DEFAULT_METHODS = ['simmim', 'symmim', 'symmim_fast', 'mae']


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', default='base', choices=['tiny', 'small', 'base'])
    parser.add_argument('--img-size', type=int, default=224)
    parser.add_argument('--patch-size', type=int, default=16)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--methods', nargs='+', default=DEFAULT_METHODS)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--bf16', action='store_true', help='bf16 autocast')
    parser.add_argument('--threads', type=int, default=0, help='torch threads (0: default)')
    parser.add_argument('--json', help='also write the figures to this JSON file')
    parser.add_argument('--memory-of', help=argparse.SUPPRESS)  # child process mode
    return parser.parse_args(argv)


def memory_in_fresh_process(args, method: str) -> int:
    cmd = [sys.executable, __file__, '--memory-of', method, '--arch', args.arch,
           '--img-size', str(args.img_size), '--patch-size', str(args.patch_size),
           '--batch-size', str(args.batch_size), '--device', args.device,
           '--threads', str(args.threads)] + (['--bf16'] if args.bf16 else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return int(out.strip().splitlines()[-1])


def main(argv=None) -> None:
    args = parse_args(argv)
    init_default_scope('mmpretrain')
    MMLogger.get_instance('benchmark', log_level='WARNING')  # no per-parameter init logs
    MessageHub.get_current_instance().update_info('max_iters', 10**6)  # SymMIM's EMA schedule
    if args.threads:
        torch.set_num_threads(args.threads)
    shape = (args.arch, args.img_size, args.patch_size, args.batch_size, args.device, args.bf16)
    if args.memory_of:
        print(training_memory(args.memory_of, *shape))
        return

    print(f'ViT-{args.arch} {args.img_size}px p{args.patch_size}, batch {args.batch_size}, '
          f'{args.device}{" bf16" if args.bf16 else ""}, {torch.get_num_threads()} threads', flush=True)
    peak = gemm_flops_per_s(args.device, args.bf16)
    runners = [StepRunner(m, *shape) for m in args.methods]
    flops = {r.method: r.flops() for r in runners}
    times = time_interleaved(runners, args.warmup, args.repeats)
    if args.device == 'cuda':
        del runners
        memory = {m: training_memory(m, *shape) for m in args.methods}
    else:
        memory = {m: memory_in_fresh_process(args, m) for m in args.methods}
    pipe = pipeline_times(args.img_size, args.patch_size)

    ref = 'simmim' if 'simmim' in args.methods else args.methods[0]
    rows = {}
    for m in args.methods:
        rows[m] = dict(step_s=times[m], images_per_s=args.batch_size / times[m],
                       step_ratio=times[m] / times[ref], memory_mib=memory[m] / 2**20,
                       memory_ratio=memory[m] / memory[ref], gflop_per_step=flops[m] / 1e9,
                       achieved_tflop_s=flops[m] / times[m] / 1e12,
                       mfu=flops[m] / times[m] / peak)
    print(f'\nlarge-GEMM peak: {peak / 1e12:.3f} TFLOP/s\n')
    print(f'| method | step (s) | images/s | step / {ref} | memory (MiB) | memory / {ref} '
          '| GFLOP/step | TFLOP/s | of peak |')
    print('|---|---|---|---|---|---|---|---|---|')
    for m, r in rows.items():
        print(f"| {m} | {r['step_s']:.3f} | {r['images_per_s']:.1f} | {r['step_ratio']:.2f} | "
              f"{r['memory_mib']:.0f} | {r['memory_ratio']:.2f} | {r['gflop_per_step']:.1f} | "
              f"{r['achieved_tflop_s']:.3f} | {100 * r['mfu']:.1f} % |")
    print(f"\nSymmetricMaskGenerator: {1e6 * pipe['mask_s']:.1f} µs/sample = "
          f"{100 * pipe['mask_fraction']:.2f} % of the data pipeline "
          f"({1e3 * pipe['pipeline_s']:.2f} ms/sample: JPEG decode, crop, flip, masks, pack)")
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(config=dict(vars(args), threads=torch.get_num_threads()),
                           gemm_peak_flop_s=peak, reference=ref, methods=rows,
                           mask_generator=pipe), f, indent=2)
        print(f'figures written to {args.json}')


if __name__ == '__main__':
    main()
