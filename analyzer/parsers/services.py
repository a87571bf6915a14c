"""Compute services from ``pcdctl compute service list --long`` (json, table, csv).

Input (``-f json``; ``Updated At`` carries no zone and is UTC; ``ID`` is an integer on old
microversions, a UUID on new ones; ``Host`` may be the hypervisor's host id)::

    [
      {
        "ID": 7,
        "Binary": "nova-compute",
        "Host": "hv-04",
        "Zone": "nova",
        "Status": "enabled",
        "State": "down",
        "Updated At": "2026-03-02T09:01:02.000000",
        "Disabled Reason": null,
        "Forced Down": false
      }
    ]

Table form, and the older ``nova service-list`` headers::

    +----+--------------+-------+------+---------+-------+----------------------------+
    | ID | Binary       | Host  | Zone | Status  | State | Updated At                 |
    +----+--------------+-------+------+---------+-------+----------------------------+
    | 7  | nova-compute | hv-04 | nova | enabled | down  | 2026-03-02T09:01:02.000000 |
    +----+--------------+-------+------+---------+-------+----------------------------+

    | Id | Binary | Host | Zone | Status | State | Updated_at | Disabled Reason | Forced down |

Output: one ``services`` row per service; status (enabled/disabled) and state (up/down)
lower-cased, updated_at in UTC, forced_down as a boolean, ``-``/``None`` as NA. Raw API
responses (``{"services": [...]}``) are accepted too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from analyzer.frames import conform
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import ostable
from analyzer.parsers.base import ParseResult, ParserSpec, fail_forward
from analyzer.parsers.ostable import bool_of, nkey, pick, text_of

TABLE = "services"


def is_service_header(header: Sequence[str]) -> bool:
    """compute service list / nova service-list, not volume services or network agents."""
    cols = {nkey(h) for h in header}
    return {"id", "binary", "host", "state"} <= cols and "agent type" not in cols


def _lower(value: object) -> str | None:
    text = text_of(value)
    return text.lower() if text else None


def service_row(record: Mapping[str, object]) -> dict[str, object]:
    f = ostable.folded(record)
    return {
        "id": text_of(pick(f, "id")),
        "binary": text_of(pick(f, "binary")),
        "host": text_of(pick(f, "host")),
        "zone": text_of(pick(f, "zone", "availability zone")),
        "status": _lower(pick(f, "status")),
        "state": _lower(pick(f, "state")),
        "updated_at": text_of(pick(f, "updated at")),
        "disabled_reason": text_of(pick(f, "disabled reason")),
        "forced_down": bool_of(pick(f, "forced down")),
    }


def parse(src: SourceFile, ctx: SourceContext) -> ParseResult:
    def fill(result: ParseResult) -> None:
        out = ostable.read_list(
            src, accept=is_service_header, wrapper="services", what="compute service"
        )
        result.problems.extend(out.problems)
        rows = []
        for record in out.records:
            row = service_row(record.fields)
            row["file"] = src.path
            row["line"] = record.line
            rows.append(row)
        frame = pd.DataFrame(rows)
        if not frame.empty:
            ostable.utc_timestamps(frame, ("updated_at",), src.path, result.problems)
        result.add(TABLE, conform(TABLE, frame))

    return fail_forward(src, "compute service list", fill)


_JSON_LIST = re.compile(r"^[ \t]*\[\s*\{", re.MULTILINE)
_API_LIST = re.compile(r'^[ \t]*\{\s*"services"\s*:\s*\[', re.MULTILINE)


def _has_key(head: str, key: str) -> bool:
    return re.search(rf'"{re.escape(key)}"\s*:', head) is not None


def sniff(head: str) -> bool:
    head = ostable.sniff_text(head)
    if _JSON_LIST.search(head):
        return (
            all(_has_key(head, k) for k in ("Binary", "Host", "State"))
            and (_has_key(head, "ID") or _has_key(head, "Id"))
            and not _has_key(head, "Agent Type")
        )
    if _API_LIST.search(head):
        return _has_key(head, "binary") and _has_key(head, "state")
    if any(is_service_header(h) for h in ostable.table_headers(head)):
        return True
    first = head.lstrip().split("\n", 1)[0]
    return first.startswith('"') and is_service_header(
        [c.strip().strip('"') for c in first.split(",")]
    )


SPEC = ParserSpec(
    kind="services",
    tables=(TABLE,),
    paths=("openstack/compute-services*.json", "openstack/compute-services*.txt"),
    sniff=sniff,
    parse=parse,
)
