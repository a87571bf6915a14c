"""Render report.md and report.html in a second process while the bundle is analysed.

The renderers load jinja2 and two templates and import matplotlib for the charts: about
0.3 s of CPU (matplotlib's import most of it), a third of a small bundle's analysis, all
of it Python code that one interpreter runs on one CPU. Nothing else is loaded: the
renderers import no pandas (the rules' words come from ``reports.rule_words``).
``analyze`` starts this worker before it reads the bundle, so that loading happens on
another CPU; once the analysis is done it hands the worker the document (the text of
``analysis.json``) on its standard input, and the worker writes the two reports. Whatever
goes wrong in the worker, the caller renders the reports itself: the worker can only save
time, never change a report or lose one. Like the caller, it writes each report under a
temporary name and renames it into place (``reports.files``); the caller holds the
folder's lock meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

from analyzer.cpus import usable_cpus
from reports.files import remove_leftovers, write_atomic

REPORTS = ("report.md", "report.html")


class ReportWorker:
    """The second process, from start to the reports on disk (or a refusal)."""

    def __init__(self, proc: subprocess.Popen[bytes], out: Path | None = None) -> None:
        self._proc = proc
        self._out = out

    @classmethod
    def start(cls, out: Path) -> ReportWorker | None:
        """A worker that will write into ``out``; None on one CPU (it would only compete)."""
        if usable_cpus() < 2 or not sys.executable:  # (an embedded interpreter has no path)
            return None
        try:
            proc = subprocess.Popen(
                # -P: nothing from the working directory is importable (a ./reports folder
                # must not stand in for this package)
                [sys.executable, "-P", "-m", "reports.worker", str(out)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return None
        return cls(proc, out)

    def finish(self, document: str, timeout: float = 120.0) -> bool:
        """Hand over the document and wait: True once both reports are written."""
        proc = self._proc
        assert proc.stdin is not None
        try:
            proc.stdin.write(document.encode("utf-8"))
            proc.stdin.close()
            return proc.wait(timeout) == 0
        except (OSError, subprocess.TimeoutExpired):
            self.cancel()
            return False

    def cancel(self) -> None:
        """Stop the worker without a document: it writes nothing."""
        proc = self._proc
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdin is not None and not proc.stdin.closed:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        if self._out is not None and proc.returncode != 0:
            remove_leftovers(self._out, proc.pid)  # killed while writing


def _import_matplotlib() -> None:
    """matplotlib's figure and SVG backend, without the property lists of its docstrings.

    matplotlib writes into the docstring of every Artist subclass's ``set`` the list of its
    properties (``matplotlib.artist.kwdoc``, an inspection of every setter): about 0.07 s of
    the 0.4 s its import costs. Nothing here reads a docstring, and drawing never calls it.
    """
    import matplotlib.artist

    matplotlib.artist.kwdoc = _no_property_list
    import matplotlib.figure
    from matplotlib.backends import backend_svg  # noqa: F401


def _no_property_list(artist: object) -> str:
    return ""


def main(argv: list[str]) -> int:
    out = Path(argv[1])
    from analyzer import blas_threads  # noqa: F401 - one OpenBLAS thread, before numpy loads

    # (at the caller's priority: a worker started at low priority, once the document had
    # come, waited behind every other job of a busy machine while the caller waited for it)
    # the costly part, done while the parent is still analysing
    _import_matplotlib()
    from analyzer.document import from_json
    from reports.render import environment, render_html, render_markdown

    for name in ("report.md.j2", "report.html.j2"):
        environment().get_template(name)
    # (no chart is drawn ahead: drawing two tiny ones cost about 0.06 s of CPU to spare the
    # real charts about 0.006 s, a poor trade once the machine is busy)
    data = sys.stdin.buffer.read()
    if not data.strip():
        return 1  # the analysis ended without a document: nothing to write
    # the document of this run, in this version's schema (a mismatch fails the worker,
    # and the caller renders the reports itself)
    doc = from_json(data)
    write_atomic(out / "report.md", render_markdown(doc))
    write_atomic(out / "report.html", render_html(doc))
    return 0


if __name__ == "__main__":
    status = main(sys.argv)
    os._exit(status)  # the reports are written and closed: Python's teardown would only delay
