"""Print the table of faults tried (tests/e2e/test_faults.py) at the end of the session."""

from __future__ import annotations

from .faults import OUTCOMES


def pytest_terminal_summary(terminalreporter) -> None:
    if not OUTCOMES:
        return
    widths = [
        max(len(row[i]) for row in [("fault", "expected", "outcome"), *OUTCOMES]) for i in range(3)
    ]
    terminalreporter.section("faults tried")
    for row in [("fault", "expected", "outcome"), *OUTCOMES]:
        terminalreporter.write_line(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        )
