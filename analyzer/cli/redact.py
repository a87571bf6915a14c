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

--obfuscate does what the collector's --obfuscate does: hostnames and IP addresses (in the
files and in their names) get stable pseudonyms, kept in --obfuscation-map (default
pcd-collect-obfuscation-map.json beside --out, the collector's name, so bundles obfuscated
with one mapping agree), and every distinct secret is masked as its own [REDACTED-N], the
same N wherever that value appears, so that support can still tell which credentials match.

The archive written is then read back and checked by detectors that share no rule with the
redaction (an entropy check and, when installed, detect-secrets); each line they flag is
listed (member and line, never the value) and the status is 3: check those lines before
sharing the archive.

Exit status: 0 written and nothing flagged; 2 usage error or unreadable input; 3 written,
but the check flagged lines that may still hold a secret.
"""

EXIT_FLAGGED = 3
MAP_NAME = "pcd-collect-obfuscation-map.json"  # the collector's default, for one mapping

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
    obfuscate: Annotated[
        bool,
        typer.Option(
            "--obfuscate",
            help="Also replace hostnames and IP addresses with the collector's pseudonyms, and "
            "mask each distinct secret as its own [REDACTED-N].",
        ),
    ] = False,
    obfuscation_map: Annotated[
        Path | None,
        typer.Option(
            "--obfuscation-map",
            help="Pseudonym mapping, read and updated; kept outside the archive (default: "
            f"{MAP_NAME} beside --out). Implies --obfuscate.",
        ),
    ] = None,
    quiet: Quiet = False,
    max_members: MaxMembers = Limits.max_members,
    max_bytes: MaxBytes = MAX_BYTES,
    max_ratio: MaxRatio = Limits.max_ratio,
) -> None:
    from analyzer.redact import default_out, redact_bundle
    from analyzer.secret_check import detectors

    limits = parse_limits(max_members, max_bytes, max_ratio)
    target = out or default_out(bundle)
    mapping = obfuscation_map
    if obfuscate and mapping is None:
        mapping = target.parent / MAP_NAME
    with reported_errors(), write_errors(target, "cannot write"):
        result = redact_bundle(bundle, target, limits, mapping)
    err = sys.stderr
    counts = ", ".join(f"{rule} {n}" for rule, n in sorted(result.counts.items()) if n)
    err.write(f"analyze redact: {result.masked} value(s) masked ({counts or 'none'})\n")
    if result.mapping is not None:
        hosts, addresses = result.replaced.get("hosts", 0), result.replaced.get("addresses", 0)
        err.write(
            f"Obfuscated: {hosts} host name(s), {addresses} address(es); mapping "
            f"{result.mapping} (keep it; do not share it)\n"
        )
    if not quiet:
        for path, why in result.dropped:
            err.write(f"  not copied: {path}: {why}\n")
        if result.manifests:
            err.write(f"  noted in: {', '.join(result.manifests)}\n")
    err.write(f"Redacted bundle: {result.out} ({result.written} file(s))\n")
    if result.flags:
        err.write(
            f"Problem: the check of {result.out.name} flags {len(result.flags)} line(s) that "
            "may still hold a secret; look at them before sharing it:\n"
        )
        for flag in result.flags[:50]:
            err.write(f"  {flag}\n")
        if len(result.flags) > 50:
            err.write(f"  ... and {len(result.flags) - 50} more\n")
        raise typer.Exit(EXIT_FLAGGED)
    err.write(f"Checked: no line of it looks like a secret ({', '.join(detectors())})\n")
    raise typer.Exit(EXIT_OK)
