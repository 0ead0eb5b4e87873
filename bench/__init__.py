"""Benchmarks of the portal: data generator, load runs and query counts (see bench/run.sh).

Nothing here runs in `make test`; timings live in docs/performance.md, never in tests.
"""
