"""The fault suite's rows, printed as one table at the end of the pytest run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.scenarios import Row, table

ROWS: list[Row] = []


@pytest.fixture
def record() -> Iterator[list[Row]]:
    yield ROWS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if ROWS:
        terminalreporter.section("fault suite")
        terminalreporter.write_line(table(ROWS))
        for r in ROWS:
            if r.figures:
                terminalreporter.write_line(f"{r.scenario}: {r.figures}")
