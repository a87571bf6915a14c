"""``analyze BUNDLE...``: the diagnosis of one or more bundles, written as three reports.

Thin, like every command: parse the options, call :func:`analyzer.analysis.analyse`, write
the documents, map errors to one ``Error:`` line and exit status 2
(:mod:`analyzer.cli.common`). The command runs without a command name: any first argument
other than ``timeline``, ``fleet`` or ``redact`` is a bundle (:func:`analyzer.cli.main`).

The reports' templates and chart library load in a second process while the bundle is
read (:mod:`reports.worker`); whatever happens to it, this process writes the reports.
Each report is renamed into place from a temporary name, and the set is written under an
advisory lock on ``--out`` (:mod:`reports.files`): two runs on one folder take turns, the
second waiting up to ``LOCK_WAIT`` seconds, so the folder never holds a mixed set.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

import reports
from analyzer import __version__
from analyzer.bundle import bundle_name
from analyzer.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    MAX_BYTES,
    Bundles,
    Format,
    MaxBytes,
    MaxMembers,
    MaxRatio,
    Out,
    Quiet,
    lasting_imports,
    parse_limits,
    report_folder,
    reported_errors,
)
from analyzer.limits import Limits
from analyzer.progress import status_line
from reports.files import LOCK_WAIT, write_atomic
from reports.worker import ReportWorker

if TYPE_CHECKING:
    from analyzer.document import AnalysisDocument

HELP = """Diagnose a PCD support bundle: messaging-layer failure, resource exhaustion or host
failure, with evidence and the recovery for this deployment.

BUNDLE is a .tgz/.tar.gz/.tar file or an unpacked directory; give several (one from the
admin workstation, one per hypervisor) to analyse them together.

Writes report.html, report.md and analysis.json into --out (default: a folder named after
the first bundle, e.g. pcd-bundle-x.tgz -> ./pcd-bundle-x-analysis/).

Exit status: 0 no failure found; 1 a failure diagnosed, or inconclusive; 2 usage error or
unreadable input; 130 interrupted.
"""


def _default_out(first: Path) -> Path:
    return Path.cwd() / f"{bundle_name(str(first))}-analysis"


def _summary(doc: AnalysisDocument) -> str:
    from reports.terminal import terminal_summary

    return terminal_summary(doc)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"analyze {__version__}")
        raise typer.Exit(EXIT_OK)


def analyze_command(
    bundles: Bundles,
    out: Out = None,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="all: write the three reports into --out; json/md/html: write only that "
            "document to standard output.",
        ),
    ] = Format.all,
    quiet: Quiet = False,
    max_members: MaxMembers = Limits.max_members,
    max_bytes: MaxBytes = MAX_BYTES,
    max_ratio: MaxRatio = Limits.max_ratio,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    limits = parse_limits(max_members, max_bytes, max_ratio)
    target = out or _default_out(bundles[0])
    # the reports' templates and chart library load on another CPU meanwhile
    worker = ReportWorker.start(target) if fmt is Format.all else None
    try:
        doc = _analyse(bundles, limits, quiet)
        _write(doc, fmt, target, worker, quiet)
    finally:
        if worker is not None:
            worker.cancel()  # nothing when it is done
    verdict = doc.verdict.cls
    raise typer.Exit(EXIT_OK if verdict == "no_failure_found" else EXIT_FAILURE)


def _analyse(bundles: list[Path], limits: Limits, quiet: bool) -> AnalysisDocument:
    with lasting_imports():
        from analyzer.analysis import analyse

    status = status_line(sys.stderr, enabled=not quiet)  # only on a terminal, after 1 s
    try:
        with reported_errors():
            doc, _frames, _inv = analyse(bundles, limits, progress=status)
    finally:
        if status is not None:
            status.close()
    return doc


def _write(
    doc: AnalysisDocument, fmt: Format, target: Path, worker: ReportWorker | None, quiet: bool
) -> None:
    from analyzer.document import to_json

    rendered = {
        Format.json: lambda: to_json(doc),
        Format.md: lambda: reports.render_markdown(doc),  # jinja2 loads on first use
        Format.html: lambda: reports.render_html(doc),
    }
    if fmt is not Format.all:
        sys.stdout.write(rendered[fmt]())
        if not quiet:
            typer.echo(_summary(doc), err=True)
        return
    document = rendered[Format.json]()
    with report_folder(target, LOCK_WAIT):
        write_atomic(target / "analysis.json", document)
        if worker is None or not worker.finish(document):
            write_atomic(target / "report.md", rendered[Format.md]())
            write_atomic(target / "report.html", rendered[Format.html]())
    if not quiet:
        typer.echo(_summary(doc), err=True)
        typer.echo(f"Reports: {target}/report.html, report.md, analysis.json", err=True)
