"""What the commands of ``analyze`` share at the command-line boundary.

Errors become one ``Error: ...`` line and a documented exit status, so every command turns
the same failures into the same words and codes, and none ever prints a traceback. The
arguments and options that mean the same thing in several commands are declared once
here, and so is the way the size limits are parsed and the way a document is written, so
that ``analyze``, ``analyze timeline`` and ``analyze fleet`` cannot drift apart. A command
imports the analysis in ``lasting_imports``, which spares the start of a run the garbage
collector's walks over it.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeAlias

import typer

from analyzer.errors import AnalyzerError
from analyzer.limits import Limits, parse_size

EXIT_OK, EXIT_FAILURE, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130

MAX_BYTES = "4G"  # --max-bytes as typed, so that --help shows it as the user writes it

Bundles: TypeAlias = Annotated[
    list[Path],
    typer.Argument(
        help="Bundle files (.tgz/.tar) or directories.", show_default=False, metavar="BUNDLE"
    ),
]
Quiet: TypeAlias = Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")]
# The limits of one bundle, as `analyze` and `analyze redact` offer them (fleet words its own).
MaxMembers: TypeAlias = Annotated[
    int,
    typer.Option(
        "--max-members",
        help="Refuse a bundle with more archive entries than this (nested archives included).",
    ),
]
MaxBytes: TypeAlias = Annotated[
    str,
    typer.Option(
        "--max-bytes",
        help="Refuse a bundle whose content (decompressed) exceeds this size: bytes, or "
        "with K/M/G/T (binary units).",
    ),
]
MaxRatio: TypeAlias = Annotated[
    float,
    typer.Option(
        "--max-ratio",
        help="Refuse an archive that expands more than this many times (a gzip bomb); "
        "a compressed member or nested archive beyond it is skipped and listed.",
    ),
]


def error(message: str, code: int = EXIT_ERROR) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Run the library; its failures become one line and exit status 2 (130 on Ctrl-C)."""
    try:
        yield
    except typer.Exit:  # already one line and a status (it is an Exception subclass)
        raise
    except KeyboardInterrupt:
        raise error("interrupted", EXIT_INTERRUPTED) from None
    except AnalyzerError as exc:
        raise error(str(exc)) from None
    except MemoryError:
        raise error("out of memory while reading the bundle") from None
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, never a traceback
        raise error(f"internal error ({type(exc).__name__}: {exc}); please report it") from None


def parse_limits(max_members: int, max_bytes: str, max_ratio: float) -> Limits:
    """The --max-members, --max-bytes and --max-ratio options; a bad one is a usage error."""
    try:
        return Limits(max_members, parse_size(max_bytes), max_ratio)
    except ValueError as exc:
        raise error(f"invalid limit: {exc}") from None


@contextmanager
def write_errors(target: Path | None, failure: str) -> Iterator[None]:
    """A write that fails is an error of the run: ``Error: TARGET: FAILURE (reason)``."""
    try:
        yield
    except OSError as exc:
        raise error(f"{target}: {failure} ({exc.strerror})") from None


class Format(StrEnum):
    """``--format`` of the report commands: ``all`` writes the set into --out, the others
    write one document to standard output."""

    all = "all"
    json = "json"
    md = "md"
    html = "html"


Out: TypeAlias = Annotated[Path | None, typer.Option("--out", "-o", help="Folder for the reports.")]


@contextmanager
def report_folder(target: Path, wait: float) -> Iterator[None]:
    """``target`` made and held for one run's set of reports.

    Under the folder's lock (:mod:`reports.files`): two runs on one --out take turns and
    never mix their sets; one that waits over ``wait`` seconds is an error of the run.
    """
    from reports.files import FolderBusy, locked

    with write_errors(target, "cannot write reports"):
        target.mkdir(parents=True, exist_ok=True)
        try:
            with locked(target, wait):
                yield
        except FolderBusy:
            raise error(
                f"{target}: another analyze has been writing its reports there for "
                f"{wait:g} s; try again, or choose another --out"
            ) from None


def json_text(doc: dict[str, Any]) -> str:
    """A JSON document as every command writes it: indented, UTF-8, one final newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def command_app(
    command: Callable[..., None], text: str, no_args_is_help: bool = True
) -> typer.Typer:
    """An app of one command, with ``text`` as its help (shown too when no argument is given,
    unless ``no_args_is_help`` is false: then a missing argument is named, status 2).

    One command per app: ``analyze BUNDLE...`` must run without a command name, so
    :func:`analyzer.cli.main` picks the app from the first argument instead of Typer.
    """
    app = typer.Typer(add_completion=False, help=text, rich_markup_mode=None)
    app.command(help=text, no_args_is_help=no_args_is_help)(command)
    return app


@contextmanager
def lasting_imports() -> Iterator[None]:
    """Imports made with the garbage collector paused, what they made then frozen.

    Importing the analysis (parsers, rules, document types) makes objects that live as long
    as the process, and each collection the imports set off walks every object made so far,
    pandas' included: about 0.07 s of a small bundle's 1.1 s. Frozen (``gc.freeze``), they
    are skipped by the analysis's own collections too. Nothing is frozen when the modules
    were imported already (a test run).
    """
    loaded = len(sys.modules)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if len(sys.modules) > loaded:
            gc.freeze()
        if was_enabled:
            gc.enable()
