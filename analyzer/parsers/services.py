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

from collections.abc import Mapping, Sequence

import pandas as pd

from analyzer.frames import conform
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers.base import ParseResult, ParserSpec, fail_forward
from analyzer.parsers.osc_output import list_rows
from analyzer.parsers.osc_sniff import has_key, sniff_list
from analyzer.parsers.osc_values import bool_of, folded, nkey, pick, text_of, utc_timestamps

TABLE = "services"


def is_service_header(header: Sequence[str]) -> bool:
    """compute service list / nova service-list, not volume services or network agents."""
    cols = {nkey(h) for h in header}
    return {"id", "binary", "host", "state"} <= cols and "agent type" not in cols


def _lower(value: object) -> str | None:
    text = text_of(value)
    return text.lower() if text else None


def service_row(record: Mapping[str, object]) -> dict[str, object]:
    f = folded(record)
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
        rows = list_rows(
            src,
            result.problems,
            service_row,
            accept=is_service_header,
            wrapper="services",
            what="compute service",
        )
        frame = pd.DataFrame(rows)
        if not frame.empty:
            utc_timestamps(frame, ("updated_at",), src.path, result.problems)
        result.add(TABLE, conform(TABLE, frame))

    return fail_forward(src, "compute service list", fill)


def _json_list(head: str) -> bool:
    return (
        all(has_key(head, k) for k in ("Binary", "Host", "State"))
        and (has_key(head, "ID") or has_key(head, "Id"))
        and not has_key(head, "Agent Type")
    )


def _api_list(head: str) -> bool:
    return has_key(head, "binary") and has_key(head, "state")


def sniff(head: str) -> bool:
    return sniff_list(
        head,
        accept=is_service_header,
        wrapper="services",
        json_list=_json_list,
        api_list=_api_list,
    )


SPEC = ParserSpec(
    kind="services",
    tables=(TABLE,),
    paths=("openstack/compute-services*.json", "openstack/compute-services*.txt"),
    sniff=sniff,
    parse=parse,
)
