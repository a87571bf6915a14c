"""The prefixes a log collects on its way to a ticket, recognised and cut off.

A log pasted from the journal, from ``docker logs -t`` or from ``docker compose logs``
carries the collector's prefix before the program's own line::

    Mar 26 11:58:31 ip-172-31-43-179 rabbitmq-server[19286]: started TCP listener on [::]:5672
    2026-03-03T07:10:02+0100 ctl-2 rabbitmq-server[2211]: 2026-03-03 07:10:01.118201+01:00 [error] <0.3100.0> ...
    2023-12-13T05:56:46.461954102Z 2023-12-13 05:56:46.461954+00:00 [info] <0.842.0> closing AMQP connection ...
    2023-12-13 06:56:46 2023-12-13 05:56:46.461954+00:00 [info] <0.842.0> closing AMQP connection ...
    rabbitmq  | 2025-03-23 15:53:54.829712+00:00 [error] <0.994.0> PLAIN login refused: user 'guest' - invalid credentials
    20596:2021-07-30 14:46:16.665 175316 INFO nova.scheduler.manager [None req-cb66e713-... - default default] Got no allocation candidates ...

(journald ``short``/``short-precise``, journald ``short-iso``, ``docker logs -t`` and
``kubectl logs --timestamps``, Docker Desktop's local time, compose's service column,
``grep -n``/``grep -H``'s line number or file name). One
kind is chosen per file, the one most of its head's non-blank lines carry (its first
``HEAD_LINES``, as the file was identified by its head), and only lines of that kind are
cut; what follows is the program's line, read by the parser of its
format as if it had been written to a file. The collector's stamp is kept as
``reported_at`` (UTC): journald ``short`` stamps have no year and no zone, so they take
the year of the collection and the host's clock offset, like any local time. A program
that wrote no time of its own into the journal (devstack's ``nova-compute[1932170]:
DEBUG ovsdbapp...``) gets the journal's time written in front of its line, so the
record keeps a time; ``stamped`` says which lines got one.
"""  # noqa: E501 - real log lines are long

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from analyzer.model import SourceContext
from analyzer.parsers import loglines, logtime

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_IDENT = r"(?P<{}>[A-Za-z][^\s\[\]:]*)(?:\[\d+\])?: ?"
_RFC3339 = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)"

_KIND_PATTERNS = {
    "syslog": r"(?P<syslog>(?:" + _MONTHS + r") [ \d]\d \d\d:\d\d:\d\d(?:\.\d{1,6})?) "
    r"(?P<sy_host>\S+) " + _IDENT.format("sy_ident"),
    "isolog": r"(?P<isolog>"
    + _RFC3339
    + r") (?P<iso_host>[A-Za-z][^\s]*) "
    + _IDENT.format("iso_ident"),
    "compose": r"(?P<compose>[A-Za-z0-9][\w.-]*) +\|(?: |$)(?:(?P<cts>" + _RFC3339 + r") )?",
    "rfc": r"(?P<rfc>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z) ",
    "desktop": r"(?P<desktop>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ",
    "grep": r"(?P<grep>[^\s:|\[\]=]+:(?:\d+:)?)",
}
PREFIX = r"^(?:" + "|".join(_KIND_PATTERNS.values()) + r")"
"""One line's collector prefix: journald short(-precise), journald short-iso, compose
(with an optional ``-t`` stamp), docker/kubectl RFC3339 UTC, Docker Desktop local time,
grep's ``NNN:``, ``file:`` or ``file:NNN:`` (no time: grep adds none)."""

KINDS = ("syslog", "isolog", "compose", "rfc", "desktop", "grep")

# Docker Desktop's stamp is only a prefix when the program's own stamp follows it; a
# zone-less line of second precision (old nova: "2012-07-05 22:00:30 TRACE ...") is not.
_OWN_STAMP = r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d"
# A docker/kubectl stamp is a prefix unless the line goes on like a RabbitMQ line whose own
# time is RFC3339 (``time_format = rfc3339_T``): that is the program's stamp.
_RABBIT_LEVEL = r"^\[[a-z]+\] "
_LEVEL_WORD = r"(?:TRACE|DEBUG|INFO|AUDIT|WARNING|WARN|ERROR|CRITICAL|FATAL)"
_OSLO_LEVEL = r"^" + _LEVEL_WORD + r" \S"
_SYSLOG_FORMAT = "%Y %b %d %H:%M:%S.%f"


@dataclass(frozen=True)
class Stripped:
    """A file's lines with its collector's prefix cut off."""

    kind: str | None  # one of KINDS, None when the file carries none
    lines: pd.Series  # the program's lines (unchanged where no prefix was cut)
    reported_at: pd.Series  # TS_UTC per line: the collector's stamp, NaT where none
    host: pd.Series  # per line: the host the journal names, <NA> elsewhere
    program: pd.Series  # per line: the program the journal names (``nova-compute``)
    stamped: np.ndarray  # per line: the journal's time was written in front of it


def kind_of(lines: pd.Series) -> str | None:
    """The prefix kind most non-blank lines carry, when at least half of them do."""
    if lines.empty:
        return None
    text = loglines.non_empty(lines.str.strip())
    total = int(text.sum())
    if not total:
        return None
    # Nearly every file carries no prefix: one match of the pattern, without its fields,
    # says so before they are extracted (no kind is on more lines than the pattern).
    if 2 * int(loglines.matches(lines, PREFIX).sum()) < total:
        return None
    fields = _fields(lines)
    best, count = None, 0
    for kind in KINDS:
        n = int(_is_kind(fields, kind).sum())
        if n > count:
            best, count = kind, n
    return best if count * 2 >= total else None


# Every log passes through ``strip``: deciding on the head keeps the prefix pattern off the
# whole of the (nearly always unprefixed) file, half the parse time of a plain oslo.log.
HEAD_LINES = 1000


def strip(lines: pd.Series, ctx: SourceContext | None) -> Stripped:
    """Cut the file's prefix kind (``kind_of`` of its head) off the lines that carry it;
    with no ``ctx`` (a format whose parser reads the prefix itself) nothing is cut."""
    kind = kind_of(lines.iloc[:HEAD_LINES]) if ctx is not None else None
    fields = _fields(lines) if kind is not None else None
    none = pd.Series(pd.NA, index=range(len(lines)), dtype=loglines.STRING)
    if kind is None or fields is None or ctx is None:
        return Stripped(
            None,
            lines,
            pd.Series(pd.NaT, index=range(len(lines)), dtype=logtime.TS_UTC),
            none,
            none,
            np.zeros(len(lines), dtype=bool),
        )
    cut = _is_kind(fields, kind)
    rest = fields["rest"].fillna("")
    inner = lines.where(pd.Series(~cut, index=lines.index), rest).reset_index(drop=True)
    reported = _reported_at(fields, kind, ctx).where(pd.Series(cut)).astype(logtime.TS_UTC)
    host = program = none
    stamped = np.zeros(len(lines), dtype=bool)
    if kind in ("syslog", "isolog"):
        prefix = "sy" if kind == "syslog" else "iso"
        host, program = (
            fields[f"{prefix}_{name}"].where(pd.Series(cut)).reset_index(drop=True)
            for name in ("host", "ident")
        )
        inner, stamped = _stamp_bare(inner, cut, reported, ctx)
    return Stripped(kind, inner, reported.reset_index(drop=True), host, program, stamped)


def joined(cuts: list[Stripped]) -> Stripped:
    """Several files' ``Stripped`` end to end (a batch), kind None when none was cut."""
    kinds = {c.kind for c in cuts} - {None}
    return Stripped(
        next(iter(kinds)) if len(kinds) == 1 else None,
        pd.concat([c.lines for c in cuts], ignore_index=True),
        pd.concat([c.reported_at for c in cuts], ignore_index=True).astype(logtime.TS_UTC),
        pd.concat([c.host for c in cuts], ignore_index=True).astype(loglines.STRING),
        pd.concat([c.program for c in cuts], ignore_index=True).astype(loglines.STRING),
        np.concatenate([c.stamped for c in cuts]),
    )


# The prefixes a folded read cuts line by line (analyzer.fold): the journal's and
# compose's, which the whole read cuts from every line that carries them.
FOLDABLE = ("syslog", "isolog", "compose")


def fold_prefix(head: str) -> str | None:
    """The pattern (RE2, anchored) a folded read cuts from each line of a log that starts
    with ``head``; None when its lines carry no such prefix, or when some have no time of
    their own (the journal's is written in front of those only in a whole read)."""
    lines = loglines.split_lines(head)
    kind = kind_of(lines)
    if kind not in FOLDABLE:
        return None
    if strip(lines, _SNIFFING).stamped.any():
        return None
    return "^(?:" + _KIND_PATTERNS[kind] + ")"


def strip_head(head: str, ctx: SourceContext | None = None) -> str | None:
    """The sniffing head with its prefix cut off, None when it carries none."""
    lines = loglines.split_lines(head)
    if kind_of(lines) is None:
        return None
    stripped = strip(lines, ctx or _SNIFFING)
    return "\n".join(str(v) for v in stripped.lines.fillna(""))


# Sniffers only ask what the lines look like: any year lets a bare journal line be stamped.
_SNIFFING = SourceContext(
    bundle="", path="", host=None, utc_offset=None, collected_at=datetime(2000, 12, 31)
)


def _fields(lines: pd.Series) -> pd.DataFrame:
    return loglines.extract_head(loglines.as_lines(lines), PREFIX, "rest")


def _is_kind(fields: pd.DataFrame, kind: str) -> np.ndarray:
    found: np.ndarray = fields["matched"].to_numpy(dtype=bool) & loglines.non_empty(fields[kind])
    rest = fields["rest"].fillna("")
    if kind in ("desktop", "grep"):
        found &= loglines.matches(rest, _OWN_STAMP)
    elif kind == "rfc":
        found &= ~loglines.matches(rest, _RABBIT_LEVEL)
    elif kind == "compose":
        # "INFO | ..." or "ERROR |" of other log formats is not a compose service column
        found &= ~loglines.matches(fields["compose"].fillna(""), "^" + _LEVEL_WORD + "$")
    return found


def _reported_at(fields: pd.DataFrame, kind: str, ctx: SourceContext) -> pd.Series:
    if kind == "syslog":
        return _syslog_times(fields["syslog"], ctx)
    if kind == "desktop":
        return logtime.parse_local(fields["desktop"], ctx.utc_offset, "%Y-%m-%d %H:%M:%S")
    if kind == "grep":
        return pd.Series(pd.NaT, index=fields.index, dtype=logtime.TS_UTC)
    column = {"isolog": "isolog", "compose": "cts", "rfc": "rfc"}[kind]
    return logtime.parse_zoned(fields[column].fillna("").replace("", pd.NA))


def _syslog_times(stamps: pd.Series, ctx: SourceContext) -> pd.Series:
    """``Mar 03 07:10:02`` in the year of the collection (the year before for a later
    month: a log of December collected in January); NaT when the year is unknown."""
    if ctx.collected_at is None:
        return pd.Series(pd.NaT, index=stamps.index, dtype=logtime.TS_UTC)
    collected = _as_utc(ctx.collected_at)
    text = stamps.astype(loglines.STRING).str.replace(r"\s+", " ", regex=True)
    month = text.str.slice(0, 3)
    later = month.map(
        lambda m: _MONTHS.split("|").index(m) + 1 > collected.month if isinstance(m, str) else False
    ).astype(bool)
    year = pd.Series(collected.year, index=stamps.index).where(~later, collected.year - 1)
    full = year.astype(str) + " " + text
    full = full.where(full.str.contains(r"\.", regex=True), full + ".0")
    return logtime.parse_local(full, ctx.utc_offset, _SYSLOG_FORMAT)


def _as_utc(at: datetime) -> pd.Timestamp:
    ts = pd.Timestamp(at)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _stamp_bare(
    inner: pd.Series,
    cut: np.ndarray,
    reported: pd.Series,
    ctx: SourceContext,
) -> tuple[pd.Series, np.ndarray]:
    """Write the journal's time (in the host's local time, as oslo.log would) in front of
    an oslo-shaped line that has none of its own."""
    bare = (
        cut
        & ~loglines.matches(inner, _OWN_STAMP)
        & loglines.matches(inner, _OSLO_LEVEL)
        & reported.notna().to_numpy(dtype=bool)
    )
    if not bare.any():
        return inner, bare
    local = reported[bare]
    if ctx.utc_offset is not None:
        local = local + pd.Timedelta(ctx.utc_offset)
    stamps = local.dt.strftime("%Y-%m-%d %H:%M:%S.%f").astype(loglines.STRING)
    inner = inner.copy()
    inner[bare] = stamps.to_numpy() + " " + inner[bare].to_numpy()
    return inner, bare
