"""Benchmark of the pipeline on the real stack: `newsflow bench` (see newsflow_tools.bench.cli)."""


def main(argv: list[str] | None = None) -> int:
    """`newsflow bench`; imported late, so that `python -m newsflow_tools.bench.stages` runs
    without a double import."""
    from newsflow_tools.bench.cli import main as run

    return run(argv)


__all__ = ["main"]
