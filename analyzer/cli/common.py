"""Errors at the command-line boundary: one `Error: ...` line and a documented exit status.

Shared by `analyze`, `analyze timeline` and `analyze fleet`, so every command turns the
same failures into the same words and codes, and none ever prints a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from analyzer.errors import AnalyzerError

EXIT_OK, EXIT_FAILURE, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130


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
