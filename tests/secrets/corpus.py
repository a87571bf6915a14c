"""The secret-shape corpus: one ``*.txt`` file per family, the planted values in planted.json.

Each non-comment line of a family file is a realistic line (the comment above it names the
tool whose output it follows) carrying one or more planted, clearly fake values.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLANTED: dict[str, list[str]] = json.loads((HERE / "planted.json").read_text())
FAMILIES = sorted(PLANTED)

# What the analyzer needs from the same lines: ids, request ids, times, host names.
_CONTEXT = re.compile(
    r"req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
    r"|\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?Z?"
    r"|\b[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*\.svc\.cluster\.local\b"
    r"|\bhv-\d\d\b|\brabbit@rabbitmq-\d\b"
)


def lines(family: str) -> list[str]:
    text = (HERE / family).read_text()
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def planted_in(line: str, family: str) -> list[str]:
    return [value for value in PLANTED[family] if value in line]


def context_in(line: str, family: str) -> list[str]:
    secrets = PLANTED[family]
    return [c for c in _CONTEXT.findall(line) if not any(c in s or s in c for s in secrets)]


def all_planted() -> list[str]:
    return [value for family in FAMILIES for value in PLANTED[family]]


_FLAG_ALONE = re.compile(r"[ \t]*(?:-[ \t]+)?--?[\w-]+")


def log_lines(family: str) -> list[str]:
    """The lines that make sense in a time-stamped log stream (``kubectl logs --timestamps``).

    Left out: one-argument-a-line lists (a flag alone, its value on the next line) and a bare
    ``.erlang.cookie``; they are shapes of whole files and ``describe`` output, not of logs.
    """
    out: list[str] = []
    skip_next = False
    for line in lines(family):
        if skip_next:
            skip_next = False
            continue
        if _FLAG_ALONE.fullmatch(line):
            skip_next = True
            continue
        if re.fullmatch(r"[A-Z]{20}", line):
            continue
        out.append(line)
    return out
