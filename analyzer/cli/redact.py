"""``analyze redact BUNDLE --out NEW.tgz``: a bundle's secrets masked again, as a new .tgz.

Thin, like every command: parse the options, call :func:`analyzer.redact.redact_bundle`,
print the per-rule counts (never a value) on stderr, map errors to one ``Error:`` line and
exit status 2 (:mod:`analyzer.cli.common`). The first argument ``redact`` selects this
command (:func:`analyzer.cli.main`; a bundle literally named ``redact`` is given as
``./redact``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.common import (
    EXIT_OK,
    MAX_BYTES,
    MaxBytes,
    MaxMembers,
    MaxRatio,
    Quiet,
    parse_limits,
    reported_errors,
    write_errors,
)
from analyzer.limits import Limits

HELP = """Mask the passwords, tokens and keys of a bundle again (one collected by hand, or by
an old collector) and write the result as a new .tgz to share further.

BUNDLE is a .tgz/.tar.gz/.tar file or an unpacked directory, read as the analysis reads it
(never extracted, links not followed, the same --max-* limits). Every text file goes
through the collector's redaction rules; compressed rotations are written decompressed and
the files of nested archives under a folder of the archive's name. Binary files (with NUL
bytes), links and entries the reader skips are not copied: they are listed. The manifest,
if any, records the re-redaction and the per-rule counts.

--out defaults to <name>-redacted.tgz in the current folder; the input is never
overwritten. The archive is deterministic: the same input gives the same bytes.

Exit status: 0 written; 2 usage error or unreadable input.
"""

BundleArg = Annotated[
    Path,
    typer.Argument(
        help="Bundle file (.tgz/.tar) or directory.", show_default=False, metavar="BUNDLE"
    ),
]


def redact_command(
    bundle: BundleArg,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="The .tgz to write (default: <name>-redacted.tgz)."),
    ] = None,
    quiet: Quiet = False,
    max_members: MaxMembers = Limits.max_members,
    max_bytes: MaxBytes = MAX_BYTES,
    max_ratio: MaxRatio = Limits.max_ratio,
) -> None:
    from analyzer.redact import default_out, redact_bundle

    limits = parse_limits(max_members, max_bytes, max_ratio)
    target = out or default_out(bundle)
    with reported_errors(), write_errors(target, "cannot write"):
        result = redact_bundle(bundle, target, limits)
    err = sys.stderr
    counts = ", ".join(f"{rule} {n}" for rule, n in sorted(result.counts.items()) if n)
    err.write(f"analyze redact: {result.masked} value(s) masked ({counts or 'none'})\n")
    if not quiet:
        for path, why in result.dropped:
            err.write(f"  not copied: {path}: {why}\n")
        if result.manifests:
            err.write(f"  noted in: {', '.join(result.manifests)}\n")
    err.write(f"Redacted bundle: {result.out} ({result.written} file(s))\n")
    raise typer.Exit(EXIT_OK)
