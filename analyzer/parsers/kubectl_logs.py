"""Container logs from ``kubectl logs --timestamps`` (``kubernetes/logs/<pod>/<container>.log``).

Every line carries kubectl's RFC3339Nano UTC prefix before the container's own line.
``kubernetes/logs/rabbitmq-0/rabbitmq.log``::

    2026-03-02T09:10:44.120391532Z 2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> memory resource limit alarm set on node rabbit@rabbitmq-0.
    2026-03-02T09:10:44.120398001Z 2026-03-02 09:10:44.120391+00:00 [warning] <0.1053.0> *** Publishers will be blocked until this alarm clears ***

``kubernetes/logs/nova-conductor-7d9f8b6c5d-x2x4k/nova-conductor.log``::

    2026-03-02T09:14:07.331902114Z 2026-03-02 09:14:07.331 1 ERROR nova.conductor.manager [None req-3b1c7e0a-5d52-4f0e-9c7b-2a8d0f61e4b9 - - - - - -] Failed to compute_task_build_instances: Timed out waiting for a reply to message ID 5d0c1e4b9a7f4f53b1e2c8d6a0f3b7e1
    2026-03-02T09:14:07.332015870Z 2026-03-02 09:14:07.331 1 ERROR nova.conductor.manager Traceback (most recent call last):

The prefix is stripped, the inner content is recognised (RabbitMQ, oslo.log, Python
logging, else generic lines) and parsed by that kind's lines parser, so records fold the
same way they do in the files of the hosts. Output: rows of the ``logs`` table with
``source`` = ``kubectl``, ``timestamp`` = kubectl's prefix on the record's first line
(exact UTC, ``clock`` = ``kubectl``; the inner time when that has no readable prefix;
the inner time's difference from kubectl's goes to the file's clock note, ``own_clock``),
``host`` = the pod name from the path and ``service`` from the pod name (``rabbitmq``/
``broker`` -> rabbitmq, ``nova-conductor-...`` -> nova-conductor, ...). Generic records are
one per prefixed line, with a level guessed from klog letters (``E0302 ...``),
``level=...``/``"level":"..."``, ``[level]`` or upper-case level words, else INFO.
"""  # noqa: E501 - real log lines are long

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from analyzer.model import BundleProblem, Clock, SourceContext, SourceFile
from analyzer.parsers import (
    logframe,
    loglines,
    logtime,
    oslo_log,
    own_clock,
    pf9_log,
    rabbitmq_log,
    service_names,
)
from analyzer.parsers.base import ParseResult, ParserSpec
from analyzer.parsers.batch import Batch, per_row

KUBECTL_LINE = (
    r"^(?P<kts>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d))"
    r"(?: (?P<inner>.*))?$"
)
"""kubectl's ``--timestamps`` prefix and the container's original line."""

_SNIFF_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z(?: |$)")
_POD_IN_PATH = re.compile(r"(?:^|/)logs/(?P<pod>[^/]+)/[^/]+$")
_K8S_SUFFIX = re.compile(r"-(?:[a-z0-9]{6,10}-)?[a-z0-9]{5}$|-\d+$")

_GUESS = (
    r"^(?:(?P<klog>[IWEF])\d{4} \d\d:\d\d:\d\d)?"
    r"(?:.*?(?i:\blevel\b\"?\s*[=:]\s*\"?)(?P<kv>[A-Za-z]+))?"
    r"(?:.*?\[(?P<bracket>(?i:debug|info|notice|warning|warn|error|critical|fatal))\])?"
)
_WORD_LEVELS = (
    (r"\b(?:CRITICAL|FATAL|PANIC)\b|^panic:", "CRITICAL"),
    (r"\b(?:ERROR|ERR)\b", "ERROR"),
    (r"\b(?:WARNING|WARN)\b", "WARNING"),
    (r"\bDEBUG\b", "DEBUG"),
)
_KLOG = {"I": "INFO", "W": "WARNING", "E": "ERROR", "F": "CRITICAL"}


def pod_of(path: str) -> str | None:
    """Pod name of a ``.../logs/<pod>/<container>.log`` path."""
    m = _POD_IN_PATH.search(path)
    return m["pod"] if m else None


def service_of_pod(pod: str) -> str:
    """Known component of a pod name, else the workload name (pod name minus its suffix)."""
    return service_names.service_from_name(pod) or _K8S_SUFFIX.sub("", pod) or pod


def inner_kind(inner: pd.Series) -> str:
    """What the stripped lines hold: ``rabbitmq``, ``oslo``, ``python`` or ``generic``."""
    return _inner_kinds(inner, np.zeros(len(inner), dtype=np.int64), 1)[0]


def _inner_kinds(text: pd.Series, files: np.ndarray, n: int) -> list[str]:
    """``inner_kind`` of each of ``n`` files whose stripped lines are ``text`` (``files``:
    the file of each line): the format with the most lines, the first listed on a tie."""
    counts = [
        (kind, np.bincount(files[loglines.matches(text, pattern)], minlength=n))
        for kind, pattern in (
            ("rabbitmq", rabbitmq_log.RABBIT_LINE),
            ("oslo", oslo_log.OSLO_LINE),
            ("python", pf9_log.PYLOG_LINE),
        )
    ]
    kinds = []
    for i in range(n):
        kind, best = max(((k, int(c[i])) for k, c in counts), key=lambda kv: kv[1])
        kinds.append(kind if best else "generic")
    return kinds


def parse_kubectl_lines(
    lines: Iterable[str] | pd.Series,
    ctx: SourceContext,
    *,
    file: str | None = None,
) -> tuple[pd.DataFrame, list[BundleProblem]]:
    """Parse ``kubectl logs --timestamps`` lines (position ``i`` = line ``i + 1``)."""
    return parse_kubectl_batch(loglines.one_batch(lines, ctx, file))


def parse_kubectl_batch(batch: Batch) -> tuple[pd.DataFrame, list[BundleProblem]]:
    """``parse_kubectl_lines`` of every file of ``batch``; each file's inner format is
    recognised on its own and the files of one format are parsed in one pass."""
    fields = loglines.extract(batch.text, KUBECTL_LINE)
    prefixed = fields["matched"].to_numpy(dtype=bool)
    problems = logframe.no_lines_problems(batch, prefixed, "kubectl logs")
    readable = batch.counts(prefixed) > 0
    if not readable.any():
        return logframe.empty_logs(), problems
    inner = fields["inner"].fillna("").where(pd.Series(prefixed, index=fields.index), batch.text)
    stripped = batch.with_text(inner).subset(readable)
    kube_ts = logtime.parse_zoned(fields["kts"])
    kinds = np.array(_inner_kinds(stripped.text, stripped.file, len(stripped.files)))
    pods = [pod_of(f.path) for f in stripped.files]
    services = [
        service_of_pod(pod) if pod else service_names.service_from_path(f.path)
        for f, pod in zip(stripped.files, pods, strict=True)
    ]
    ends = batch.starts + batch.sizes
    lines_prefixed = {
        f.path: prefixed[start:end]
        for f, start, end in zip(batch.files, batch.starts, ends, strict=True)
    }
    frames: list[pd.DataFrame] = []
    for kind in ("rabbitmq", "oslo", "python", "generic"):
        chosen = kinds == kind
        if chosen.any():
            part = stripped.subset(chosen)
            named = [s for s, c in zip(services, chosen, strict=True) if c]
            frame, found = _parse_inner(kind, part, named, lines_prefixed)
            frames.append(frame)
            problems += [p for p in found if logtime.BAD_TIME not in p.problem]
    frame, problems, file = stripped.in_file_order(frames, problems)
    if frame.empty:
        return frame, problems
    stamp = kube_ts.iloc[batch.positions(frame)].reset_index(drop=True)
    has_stamp = stamp.notna()
    # the line's own time against kubectl's, summarised per file (own_clock) and dropped
    frame[own_clock.COLUMN] = (frame["timestamp"] - stamp).dt.total_seconds()
    frame["timestamp"] = stamp.where(has_stamp, frame["timestamp"]).astype(logtime.TS_UTC)
    frame["clock"] = frame["clock"].where(~has_stamp, Clock.KUBECTL)
    frame["reported_at"] = stamp.astype(logtime.TS_UTC)
    frame["source"] = "kubectl"
    hosts = [pod or f.ctx.host for f, pod in zip(stripped.files, pods, strict=True)]
    frame["host"] = per_row(hosts, file)
    final = ["rabbitmq" if k == "rabbitmq" else s for k, s in zip(kinds, services, strict=True)]
    named_rows = per_row(final, file)
    frame["service"] = named_rows.where(
        named_rows.notna(), frame["service"].astype(loglines.STRING)
    )
    return frame, problems + logtime.bad_time_problems(stripped, file, frame["timestamp"])


def _parse_inner(
    kind: str, batch: Batch, services: list[str | None], prefixed: dict[str, np.ndarray]
) -> tuple[pd.DataFrame, list[BundleProblem]]:
    """The stripped lines of files of one inner format, parsed by that format's parser
    (``prefixed``: per file, which of its lines had kubectl's prefix)."""
    if kind == "oslo":
        return oslo_log.parse_oslo_batch(batch.with_services(services))
    if kind == "python":
        named = [
            s or pf9_log.file_service(f.path) for f, s in zip(batch.files, services, strict=True)
        ]
        return pf9_log.parse_python_batch(batch.with_services(named))
    frames, problems = [], []
    for f in batch.files:
        if kind == "rabbitmq":
            frame, found = rabbitmq_log.parse_rabbitmq_lines(f.lines, f.ctx, file=f.path)
            problems += found
        else:
            frame = _generic(f.lines, prefixed[f.path], f.path)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0], problems


def _generic(inner: pd.Series, prefixed: np.ndarray, path: str) -> pd.DataFrame:
    """One record per prefixed, non-blank line; unprefixed lines continue the one before."""
    starts = prefixed & loglines.non_empty(inner.str.strip())
    positions, detail = loglines.fold(
        starts, inner.where(pd.Series(~prefixed, index=inner.index), "")
    )
    message = inner.iloc[positions].reset_index(drop=True)
    return logframe.logs_frame(
        {
            "level": guess_level(message),
            "message": message,
            "detail": detail,
            "clock": Clock.KUBECTL,
            "file": path,
            "line": pd.Series(positions + 1, dtype=logframe.INT),
        },
        len(positions),
    )


def guess_level(messages: pd.Series) -> pd.Series:
    """Level of free-form lines: klog letter, ``level=``, ``[level]``, LEVEL word, else INFO."""
    found = loglines.extract(messages, _GUESS)
    level = found["klog"].map(_KLOG, na_action="ignore").astype(loglines.STRING)
    level = level.fillna(logframe.normalise_level(found["kv"])).fillna(
        logframe.normalise_level(found["bracket"])
    )
    for pattern, name in _WORD_LEVELS:
        missing = level.isna().to_numpy(dtype=bool)
        if not missing.any():
            break
        hit = missing & messages.str.contains(pattern, regex=True).fillna(False).to_numpy(bool)
        level[hit] = name
    return level.fillna("INFO")


def sniff(head: str) -> bool:
    """Most of the first non-blank lines start with an RFC3339 ``...Z `` prefix."""
    lines = [line for line in head.split("\n")[:50] if line.strip()]
    if not lines or not _SNIFF_LINE.match(lines[0]):
        return False
    hits = sum(1 for line in lines if _SNIFF_LINE.match(line))
    return hits * 2 >= len(lines)


def parse(src: SourceFile, ctx: SourceContext) -> ParseResult:
    return logframe.guarded(src, lambda lines: parse_kubectl_lines(lines, ctx, file=src.path))


SPEC = ParserSpec(
    kind="kubectl_logs",
    tables=("logs",),
    paths=("kubernetes/logs/*/*.log", "*/kubernetes/logs/*/*.log"),
    sniff=sniff,
    parse=parse,
    # kubectl's own prefix is the one this parser reads: not cut before it
    parse_batch=lambda items: logframe.guarded_batch(items, parse_kubectl_batch, prefixes=False),
)
