"""The `analyze` command line. Thin: parse arguments, call the library, map errors to exits.

Exit status: 0 no failure found; 1 a failure diagnosed, or inconclusive; 2 usage error or
unreadable input; 130 interrupted.

Other commands: `analyze timeline BUNDLE...` prints the merged timeline of the bundles;
`analyze fleet DIR... --out DATASET_DIR` analyses many bundles into a Parquet dataset;
`analyze redact BUNDLE --out NEW.tgz` masks a bundle's secrets again into a new archive;
`analyze compare BEFORE AFTER` checks whether a recovery worked. Each has its own --help.

One module per command (``analyze``, ``timeline``, ``fleet``, ``redact``, ``compare``),
side by side on :mod:`analyzer.cli.common`; this module only picks one from the first
argument and runs it. ``analyze BUNDLE...`` has no command name, so the choice is made
here rather than by Typer, which would take a bundle for an unknown command. The report
command is imported with this package, before the allocator is tuned; the others are
imported only when named, so that what they import at once (pandas, the fleet's pool)
costs a report nothing.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer

from analyzer import __version__
from analyzer.allocator import tune_for_streaming
from analyzer.cli.analyze import HELP, analyze_command
from analyzer.cli.common import EXIT_INTERRUPTED, command_app


def build_app() -> typer.Typer:
    """``analyze BUNDLE...``: the report command, run when no other command is named."""
    return command_app(analyze_command, HELP)


def build_timeline_app() -> typer.Typer:
    """``analyze timeline BUNDLE...``, imported only when named (it imports pandas)."""
    from analyzer.cli.timeline import HELP as TIMELINE_HELP
    from analyzer.cli.timeline import timeline_command

    return command_app(timeline_command, TIMELINE_HELP)


def build_fleet_app() -> typer.Typer:
    """``analyze fleet DIR... --out DATASET``, imported only when named."""
    from analyzer.cli.fleet import HELP as FLEET_HELP
    from analyzer.cli.fleet import fleet_command

    return command_app(fleet_command, FLEET_HELP)


def build_redact_app() -> typer.Typer:
    """``analyze redact BUNDLE --out NEW.tgz``, imported only when named."""
    from analyzer.cli.redact import HELP as REDACT_HELP
    from analyzer.cli.redact import redact_command

    return command_app(redact_command, REDACT_HELP)


def build_compare_app() -> typer.Typer:
    """``analyze compare BEFORE AFTER``, imported only when named."""
    from analyzer.cli.compare import HELP as COMPARE_HELP
    from analyzer.cli.compare import compare_command

    return command_app(compare_command, COMPARE_HELP)


def main() -> None:
    argv = sys.argv[1:]
    if argv == ["--version"]:
        typer.echo(f"analyze {__version__}")
        return
    tune_for_streaming()
    if argv[:1] == ["timeline"]:  # `analyze timeline BUNDLE...` (analyzer/cli/timeline.py)
        app, prog, args = build_timeline_app(), "analyze timeline", argv[1:]
    elif argv[:1] == ["fleet"]:  # `analyze fleet DIR... --out DATASET` (analyzer/cli/fleet.py)
        app, prog, args = build_fleet_app(), "analyze fleet", argv[1:]
    elif argv[:1] == ["redact"]:  # `analyze redact BUNDLE --out NEW` (analyzer/cli/redact.py)
        app, prog, args = build_redact_app(), "analyze redact", argv[1:]
    elif argv[:1] == ["compare"]:  # `analyze compare BEFORE AFTER` (analyzer/cli/compare.py)
        app, prog, args = build_compare_app(), "analyze compare", argv[1:]
    else:  # `analyze BUNDLE...` (analyzer/cli/analyze.py)
        app, prog, args = build_app(), "analyze", argv
    try:
        app(args=args, prog_name=prog)
    except KeyboardInterrupt:
        typer.echo("Error: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
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
