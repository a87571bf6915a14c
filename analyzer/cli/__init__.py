"""The `analyze` command line. Thin: parse arguments, call the library, map errors to exits.

Exit status: 0 no failure found; 1 a failure diagnosed, or inconclusive; 2 usage error or
unreadable input; 130 interrupted.

Other commands (``analyze timeline``, ``analyze fleet``, ``analyze redact``, ...) are the
entries of ``SUBCOMMANDS``; ``analyze --help`` lists them from there, each with the usage
and the first sentence of the help its Typer app registers, so a command added to the table
is listed without a word of help text to edit.

One module per command (``analyze``, ``timeline``, ``fleet``, ``redact``, ``compare``),
side by side on :mod:`analyzer.cli.common`; this module only picks one from the first
argument and runs it. ``analyze BUNDLE...`` has no command name, so the choice is made
here rather than by Typer, which would take a bundle for an unknown command. The report
command is imported with this package, before the allocator is tuned; the others are
imported only when named (or listed by --help), so that what they import at once (pandas,
the fleet's pool) costs a report nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import NoReturn

import typer

from analyzer import (
    __version__,
    blas_threads,  # noqa: F401 - before anything loads numpy
)
from analyzer.allocator import tune_for_streaming
from analyzer.cli.analyze import HELP, analyze_command
from analyzer.cli.common import EXIT_INTERRUPTED, command_app


def build_app(listing: bool = False) -> typer.Typer:
    """``analyze BUNDLE...``: the report command, run when no other command is named.

    ``listing``: its help ends with the other commands (this imports each of them).
    """
    text = HELP + "\n" + commands_listing() if listing else HELP
    # no argument is a usage error ("Missing argument"), not a silent page of help
    return command_app(analyze_command, text, no_args_is_help=False)


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


# `analyze NAME ...`: the builder of each named command's app, in the order --help lists them
SUBCOMMANDS: dict[str, Callable[[], typer.Typer]] = {
    "timeline": build_timeline_app,
    "fleet": build_fleet_app,
    "redact": build_redact_app,
    "compare": build_compare_app,
}


def commands_listing() -> str:
    """Every command, as its app registers it: usage and the first sentence of its help."""
    rows = [("analyze", build_app())] + [(f"analyze {n}", b()) for n, b in SUBCOMMANDS.items()]
    lines = []
    for prog, app in rows:
        command = typer.main.get_command(app)
        with typer.Context(command, info_name=prog) as ctx:
            usage = " ".join(command.collect_usage_pieces(ctx)).replace("{", "").replace("}", "")
            lines.append(f"  {prog} {usage}")
            lines.append(f"      {command.get_short_help_str(limit=90)}")
    # \b: click keeps this paragraph's lines as they are instead of re-wrapping them
    return "Commands (each has its own --help):\n\n\b\n" + "\n".join(lines) + "\n"


def main() -> None:
    argv = sys.argv[1:]
    if argv == ["--version"]:
        typer.echo(f"analyze {__version__}")
        return
    tune_for_streaming()
    named = SUBCOMMANDS.get(argv[0]) if argv else None
    if named is not None:  # `analyze timeline BUNDLE...`, ... (analyzer/cli/<name>.py)
        app, prog, args = named(), f"analyze {argv[0]}", argv[1:]
    else:  # `analyze BUNDLE...` (analyzer/cli/analyze.py)
        app, prog, args = build_app(listing="--help" in argv), "analyze", argv
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
