"""``analyze fleet DIR... --out DATASET``: many bundles into one Parquet dataset and a summary.

Thin, like every command: parse the options, call :func:`analyzer.fleet.run_fleet`, write
the summary documents, map errors to one ``Error:`` line and exit status 2
(:mod:`analyzer.cli.common`). A bundle that cannot be analysed is not an error of the run:
it is a failed row in the dataset and a line in the summary.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.common import (
    EXIT_OK,
    MAX_BYTES,
    Quiet,
    error,
    json_text,
    parse_limits,
    reported_errors,
    write_errors,
)
from analyzer.fleet.run import Progress
from analyzer.fleet.worker import BundleResult
from analyzer.limits import Limits

HELP = """Analyse every bundle under the given folders in parallel and write a Parquet
dataset, partitioned by bundle (bundle=<name>/ folders), with the tables verdicts,
findings, stuck_vms, timeline, services and pods, plus summary.md, summary.html and
summary.json (verdict counts, top sub-causes, per region and per ISO week).

DIR is a folder searched for .tgz/.tar.gz/.tar files and unpacked bundle folders (links
are not followed), or one bundle archive. --out must be a new or empty folder.

Bundles are analysed in a local process pool (--workers, default one per CPU) or, with
--scheduler ADDRESS, on a Dask distributed cluster (pip install '.[fleet]' in the
analyzer's source folder); the workers must be able to read the bundle paths.

Exit status: 0 dataset written (bundles that could not be analysed are recorded as
failed); 2 usage error.
"""


def _progress(quiet: bool) -> Progress:
    """A failed bundle: one line, always. A counter on a terminal unless --quiet."""
    counter = sys.stderr.isatty() and not quiet

    def show(done: int, total: int, result: BundleResult) -> None:
        clear = "\r\x1b[K" if counter else ""
        if result.failed:
            sys.stderr.write(f"{clear}{result.key}: failed: {result.error}\n")
        if counter:
            sys.stderr.write(f"{clear}[{done}/{total}] {result.key}")
            if done == total:
                sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def fleet_command(
    dirs: Annotated[
        list[Path],
        typer.Argument(
            help="Folders holding bundles, or bundle archives.",
            show_default=False,
            metavar="DIR",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="New or empty folder for the dataset and summary."),
    ],
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-j", min=1, help="Processes in the local pool."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786."),
    ] = None,
    quiet: Quiet = False,
    max_members: Annotated[
        int, typer.Option("--max-members", help="As for `analyze`, per bundle.")
    ] = Limits.max_members,
    max_bytes: Annotated[str, typer.Option("--max-bytes", help="As for `analyze`.")] = MAX_BYTES,
    max_ratio: Annotated[
        float, typer.Option("--max-ratio", help="As for `analyze`.")
    ] = Limits.max_ratio,
) -> None:
    from analyzer.fleet import run_fleet
    from reports.fleet import render_fleet_html, render_fleet_markdown

    if workers is not None and scheduler:
        raise error("--workers is for the local pool; the Dask cluster sizes itself")
    limits = parse_limits(max_members, max_bytes, max_ratio)
    with reported_errors():
        try:
            summary = run_fleet(
                dirs,
                out,
                workers=workers,
                scheduler=scheduler,
                limits=limits,
                progress=_progress(quiet),
            )
        except OSError as exc:  # the dataset's own writes: a bundle's read errors are contained
            raise error(f"{out}: cannot write the dataset ({exc.strerror or exc})") from None
    with write_errors(out, "cannot write the summary"):
        (out / "summary.json").write_text(json_text(summary), encoding="utf-8")
        (out / "summary.md").write_text(render_fleet_markdown(summary), encoding="utf-8")
        (out / "summary.html").write_text(render_fleet_html(summary), encoding="utf-8")
    if not quiet:
        counts = ", ".join(f"{v['bundles']} {v['class']}" for v in summary["verdicts"])
        typer.echo(f"{summary['bundles']} bundles ({summary['failed']} failed): {counts}", err=True)
        typer.echo(f"Dataset: {out}/  Summary: {out}/summary.html, summary.md", err=True)
    raise typer.Exit(EXIT_OK)
