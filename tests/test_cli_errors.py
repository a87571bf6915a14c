"""The command-line boundary: every failure is one line and a documented status."""

from __future__ import annotations

import pytest
import typer

from analyzer.cli.common import EXIT_ERROR, EXIT_INTERRUPTED, reported_errors
from analyzer.errors import BundleError


@pytest.mark.parametrize(
    ("exc", "code", "line"),
    [
        (
            BundleError("b.tgz", "truncated gzip data"),
            EXIT_ERROR,
            "Error: b.tgz: truncated gzip data",
        ),
        (MemoryError(), EXIT_ERROR, "Error: out of memory while reading the bundle"),
        (KeyboardInterrupt(), EXIT_INTERRUPTED, "Error: interrupted"),
        (
            ZeroDivisionError("boom"),
            EXIT_ERROR,
            "Error: internal error (ZeroDivisionError: boom); please report it",
        ),
    ],
)
def test_failures_become_one_line(
    capsys: pytest.CaptureFixture[str], exc: BaseException, code: int, line: str
) -> None:
    with pytest.raises(typer.Exit) as raised, reported_errors():
        raise exc
    assert raised.value.exit_code == code
    assert capsys.readouterr().err == line + "\n"


def test_an_exit_already_decided_passes_through(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as raised, reported_errors():
        raise typer.Exit(1)
    assert raised.value.exit_code == 1
    assert capsys.readouterr().err == ""
