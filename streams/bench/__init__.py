"""Benchmark of the pipeline on the real stack: `python -m streams.bench` (see streams.bench.cli)."""

from streams.bench.cli import main

__all__ = ["main"]
