"""Benchmark of the pipeline on the real stack: `python -m streams.bench` (see streams.bench.cli)."""


def main(argv: list[str] | None = None) -> int:
    """`newsflow bench`; imported late so `python -m streams.bench.stages` runs without a double import."""
    from streams.bench.cli import main as run

    return run(argv)


__all__ = ["main"]
