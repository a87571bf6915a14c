"""The `analyze` command line. Thin: parse arguments, call the library, map errors to exits.

Exit status: 0 no failure found; 1 a failure diagnosed, or inconclusive; 2 usage error or
unreadable input; 130 interrupted.

Other commands: `analyze timeline BUNDLE...` prints the merged timeline of the bundles;
`analyze fleet DIR... --out DATASET_DIR` analyses many bundles into a Parquet dataset.
Each has its own --help.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

import reports
from analyzer import __version__
from analyzer.allocator import tune_for_streaming
from analyzer.bundle import bundle_name
from analyzer.cli_errors import (
    EXIT_FAILURE,
    EXIT_OK,
    error,
    reported_errors,
)
from analyzer.limits import Limits, parse_size
from analyzer.progress import status_line
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

Other commands: `analyze timeline BUNDLE...` prints the merged timeline of the bundles;
`analyze fleet DIR... --out DATASET_DIR` analyses many bundles into a Parquet dataset.
Each has its own --help.
"""


class Format(StrEnum):
    all = "all"
    json = "json"
    md = "md"
    html = "html"


def _default_out(first: Path) -> Path:
    return Path.cwd() / f"{bundle_name(str(first))}-analysis"


_error = error


def _summary(doc: AnalysisDocument) -> str:
    from reports.terminal import terminal_summary

    return terminal_summary(doc)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"analyze {__version__}")
        raise typer.Exit(EXIT_OK)


def analyze_command(
    bundles: Annotated[
        list[Path],
        typer.Argument(
            help="Bundle files (.tgz/.tar) or directories.", show_default=False, metavar="BUNDLE"
        ),
    ],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for the reports.")] = None,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="all: write the three reports into --out; json/md/html: write only that "
            "document to standard output.",
        ),
    ] = Format.all,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
    max_members: Annotated[
        int,
        typer.Option(
            "--max-members",
            help="Refuse a bundle with more archive entries than this (nested archives included).",
        ),
    ] = Limits.max_members,
    max_bytes: Annotated[
        str,
        typer.Option(
            "--max-bytes",
            help="Refuse a bundle whose content (decompressed) exceeds this size: bytes, or "
            "with K/M/G/T (binary units).",
        ),
    ] = "4G",
    max_ratio: Annotated[
        float,
        typer.Option(
            "--max-ratio",
            help="Refuse an archive that expands more than this many times (a gzip bomb); "
            "a compressed member or nested archive beyond it is skipped and listed.",
        ),
    ] = Limits.max_ratio,
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
    try:
        limits = Limits(max_members, parse_size(max_bytes), max_ratio)
    except ValueError as exc:
        raise _error(f"invalid limit: {exc}") from None
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
    try:
        target.mkdir(parents=True, exist_ok=True)
        document = rendered[Format.json]()
        (target / "analysis.json").write_text(document, encoding="utf-8")
        if worker is None or not worker.finish(document):
            (target / "report.md").write_text(rendered[Format.md](), encoding="utf-8")
            (target / "report.html").write_text(rendered[Format.html](), encoding="utf-8")
    except OSError as exc:
        raise _error(f"{target}: cannot write reports ({exc.strerror})") from None
    if not quiet:
        typer.echo(_summary(doc), err=True)
        typer.echo(f"Reports: {target}/report.html, report.md, analysis.json", err=True)


def build_app() -> typer.Typer:
    app = typer.Typer(add_completion=False, help=HELP, rich_markup_mode=None)
    app.command(help=HELP, no_args_is_help=True)(analyze_command)
    return app


def main() -> None:
    argv = sys.argv[1:]
    if argv == ["--version"]:
        typer.echo(f"analyze {__version__}")
        return
    tune_for_streaming()
    if argv[:1] == ["timeline"]:  # `analyze timeline BUNDLE...` (analyzer/cli_timeline.py)
        from analyzer.cli_timeline import build_timeline_app

        app, prog, args = build_timeline_app(), "analyze timeline", argv[1:]
    elif argv[:1] == ["fleet"]:  # `analyze fleet DIR... --out DATASET` (analyzer/cli_fleet.py)
        from analyzer.cli_fleet import build_fleet_app

        app, prog, args = build_fleet_app(), "analyze fleet", argv[1:]
    else:
        app, prog, args = build_app(), "analyze", argv
    try:
        app(args=args, prog_name=prog)
    except KeyboardInterrupt:
        typer.echo("Error: interrupted", err=True)
        sys.exit(130)
    except SystemExit as exc:
        if prog == "analyze fleet" or not (exc.code is None or isinstance(exc.code, int)):
            raise  # a fleet may hold a cluster that shuts down at exit
        _end(exc.code or 0)


def _end(code: int) -> NoReturn:
    """Exit without Python's teardown once the reports are written and closed.

    Freeing every frame, array and module one by one takes about 0.1 s after an analysis
    (a tenth of a small bundle's run) and does nothing the end of the process does not.
    Only the standard streams are still open: they are flushed first.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more to say
            code = code or 120  # what Python's own exit gives when stdout cannot be flushed
    os._exit(code)
