"""``analyze compare BEFORE AFTER``: did the recovery work?

Thin, like every command: parse the options, analyse each side
(:func:`analyzer.compare.analyse_side`), compare (:func:`analyzer.compare.compare`), write
the documents, map errors to one ``Error:`` line and exit status 2
(:mod:`analyzer.cli.common`). Exit status 0 only for ``recovered``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from analyzer.bundle import bundle_name
from analyzer.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    MAX_BYTES,
    Format,
    MaxBytes,
    MaxMembers,
    MaxRatio,
    Out,
    Quiet,
    parse_limits,
    report_folder,
    reported_errors,
)
from analyzer.limits import Limits
from analyzer.progress import status_line

if TYPE_CHECKING:
    from analyzer.compare import CompareDocument

HELP = """Compare a bundle taken during a messaging-layer failure (BEFORE) with one taken
after the fix (AFTER): the runbook's verification step.

Each side is one bundle (.tgz/.tar.gz/.tar or an unpacked folder) or a folder of bundles
(the admin workstation's and one per hypervisor), analysed as `analyze` analyses them.

The outcome is one of recovered, partially_recovered, not_recovered, relapsed,
different_failure, inconclusive; with it: the VMs stuck before and what they are now (with
the clean-up commands for the ones still in BUILD), broker restarts and whether it crashed
again, the clients that reconnected, creates after the fix, compute services that changed,
and the fix time and time to recovery on one clock. Each item cites file:line on both
sides. When not recovered, an escalation packet for Platform9 Support is written too.

Writes compare.json, compare.md, compare.html (and escalation.md when not recovered) into
--out (default: ./<AFTER name>-compare/). --format json|md|html writes only that document
to standard output.

Exit status: 0 recovered; 1 any other outcome; 2 usage error or unreadable input; 130
interrupted.
"""


Before = Annotated[
    Path,
    typer.Argument(
        help="Bundle (file or folder) or folder of bundles taken during the failure.",
        show_default=False,
        metavar="BEFORE",
    ),
]
After = Annotated[
    Path,
    typer.Argument(
        help="Bundle (file or folder) or folder of bundles taken after the fix.",
        show_default=False,
        metavar="AFTER",
    ),
]


def compare_command(
    before: Before,
    after: After,
    out: Out = None,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="all: write the reports into --out; json/md/html: write only that "
            "document to standard output.",
        ),
    ] = Format.all,
    quiet: Quiet = False,
    max_members: MaxMembers = Limits.max_members,
    max_bytes: MaxBytes = MAX_BYTES,
    max_ratio: MaxRatio = Limits.max_ratio,
) -> None:
    limits = parse_limits(max_members, max_bytes, max_ratio)
    doc = _compare(before, after, limits, quiet)
    _write(doc, fmt, out or Path.cwd() / f"{bundle_name(str(after))}-compare", quiet)
    raise typer.Exit(EXIT_OK if doc.outcome == "recovered" else EXIT_FAILURE)


def _compare(before: Path, after: Path, limits: Limits, quiet: bool) -> CompareDocument:
    from analyzer.compare import analyse_side, compare

    status = status_line(sys.stderr, enabled=not quiet)
    try:
        with reported_errors():
            sides = []
            for name, location in (("BEFORE", before), ("AFTER", after)):
                if status is not None:
                    status(f"{name}: reading")
                sides.append(analyse_side(location, limits, status))
            return compare(sides[0], sides[1])
    finally:
        if status is not None:
            status.close()


def _write(doc: CompareDocument, fmt: Format, target: Path, quiet: bool) -> None:
    from analyzer.compare.document import to_json
    from reports.compare import (
        render_compare_html,
        render_compare_markdown,
        render_escalation_markdown,
    )
    from reports.files import LOCK_WAIT, write_atomic

    rendered = {
        Format.json: lambda: to_json(doc),
        Format.md: lambda: render_compare_markdown(doc),
        Format.html: lambda: render_compare_html(doc),
    }
    if fmt is not Format.all:
        sys.stdout.write(rendered[fmt]())
        if not quiet:
            typer.echo(_summary(doc, None), err=True)
        return
    packet = render_escalation_markdown(doc)
    with report_folder(target, LOCK_WAIT):
        write_atomic(target / "compare.json", rendered[Format.json]())
        write_atomic(target / "compare.md", rendered[Format.md]())
        write_atomic(target / "compare.html", rendered[Format.html]())
        stale = target / "escalation.md"
        if packet is not None:
            write_atomic(stale, packet)
        elif stale.exists():
            stale.unlink()  # an older run's packet would contradict this recovery
    if not quiet:
        typer.echo(_summary(doc, target if packet is not None else None), err=True)
        typer.echo(f"Reports: {target}/compare.html, compare.md, compare.json", err=True)


def _summary(doc: CompareDocument, packet_dir: Path | None) -> str:
    from reports.compare_wording import MISMATCHES, OUTCOMES, REASONS
    from reports.wording import lookup

    lines = [f"analyze compare: {lookup(OUTCOMES, doc.outcome.value)}"]
    lines += [f"  - {lookup(MISMATCHES, m.key)}" for m in doc.mismatches]
    lines += [f"  {lookup(REASONS, r)}" for r in doc.reasons]
    if packet_dir is not None:
        saas = " (SaaS: send it to Platform9 Support)" if doc.before.deployment == "saas" else ""
        lines.append(f"Escalation packet: {packet_dir}/escalation.md{saas}")
    return "\n".join(lines)
