"""Building blocks of the tools in ``tools/benchmarks/``: ``speed`` and ``pipeline``
(pretrain_speed.py), ``data_speed``, ``gpu_report`` (gpu_benchmark.sh)."""
