"""The progress line: only on a terminal, only after a moment, erased at the end."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from typer.testing import CliRunner

from analyzer.analysis import analyse
from analyzer.cli import build_app
from analyzer.progress import STAGES, StatusLine, status_line

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"


class Terminal(io.StringIO):
    """A stream that says it is a terminal and tells when something was written."""

    def __init__(self) -> None:
        super().__init__()
        self.written = threading.Event()

    def isatty(self) -> bool:
        return True

    def write(self, s: str) -> int:
        n = super().write(s)
        self.written.set()
        return n


def test_no_line_off_a_terminal_or_when_quiet() -> None:
    assert status_line(io.StringIO(), enabled=True) is None
    assert status_line(Terminal(), enabled=False) is None


def test_line_names_the_stage_and_is_erased_at_the_end() -> None:
    term = Terminal()
    line = StatusLine(term, delay=0.0, tick=0.01)
    line("parsing")
    assert term.written.wait(30)
    line.close()
    text = term.getvalue()
    assert "analyze: [2/4] parsing ... " in text
    assert text.endswith("\r\033[K")


def test_nothing_drawn_before_the_delay() -> None:
    term = Terminal()
    line = StatusLine(term, delay=3600.0, tick=0.01)
    line("parsing")
    line.close()
    assert term.getvalue() == ""


def test_unknown_stage_has_no_number() -> None:
    line = StatusLine(Terminal(), delay=3600.0)
    line("something else")
    assert line.render().startswith("analyze: something else ... ")
    line.close()


def test_cli_output_has_no_progress_codes() -> None:
    """Under a pipe (CliRunner), stdout is the document alone and stderr has no redraws."""
    result = CliRunner().invoke(build_app(), [str(BUNDLES / "healthy.tgz"), "--format", "json"])
    assert result.stdout.lstrip().startswith("{")
    assert "\033[K" not in result.stdout + result.stderr


def test_analyse_reports_the_known_stages_in_order() -> None:
    """The "[n/4]" count is only right while analyse() reports exactly STAGES."""
    seen: list[str] = []
    analyse([BUNDLES / "healthy.tgz"], progress=seen.append)
    assert seen == list(STAGES)
