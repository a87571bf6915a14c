"""Servers from ``pcdctl server list --all-projects --long`` (json, table or csv).

Input (``-f json``; ``Power State`` is the nova integer, ``Host`` null until scheduled)::

    [
      {
        "ID": "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13",
        "Name": "web-07",
        "Status": "BUILD",
        "Task State": "scheduling",
        "Power State": 0,
        "Networks": {},
        "Image Name": "ubuntu-22.04",
        "Image ID": "0b8e1f57-6f5c-4a7e-8d0a-3c2b1e9f4d21",
        "Flavor": "m1.small",
        "Availability Zone": "nova",
        "Host": null,
        "Properties": {},
        "Project ID": "9a3f2c1d0e5b4a6c8d7e1f2a3b4c5d6e"
      }
    ]

The same columns as a table (power state as a word)::

    +--------------------------------------+--------+--------+------------+-------------+
    | ID                                   | Name   | Status | Task State | Power State |
    +--------------------------------------+--------+--------+------------+-------------+
    | 6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13 | web-07 | BUILD  | scheduling | NOSTATE     |
    +--------------------------------------+--------+--------+------------+-------------+

Output: one ``servers`` row per listed server: id, name, status, task_state, power_state
(word form), host, project_id, flavor, image (names when given, else ids), network (the
first of ``Networks``), and created_at /
updated_at when ``-c "Created At"`` asked for them. Older headers (``Flavor Name`` /
``Flavor ID``, ``Image``) and raw API responses (``{"servers": [...]}``) are accepted.
A server listed twice in one file keeps its first row; the repeat is a bundle problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from analyzer.frames import conform, row_files
from analyzer.model import BundleProblem, SourceContext, SourceFile
from analyzer.parsers.base import BatchItem, ParseResult, ParserSpec, fail_forward
from analyzer.parsers.osc_output import list_rows
from analyzer.parsers.osc_sniff import has_key, sniff_list
from analyzer.parsers.osc_values import clean, folded, nkey, pick, text_of, utc_timestamps

TABLE = "servers"
TIMESTAMPS = ("created_at", "updated_at", "launched_at", "fault_created")

# nova power_state integers as openstackclient's PowerStateColumn prints them
POWER_STATES = {
    0: "NOSTATE",
    1: "Running",
    3: "Paused",
    4: "Shutdown",
    6: "Crashed",
    7: "Suspended",
}
_POWER_WORDS = {word.lower(): word for word in POWER_STATES.values()}

# headers that only a server listing has (``volume list`` also has ID, Name, Status)
_SERVER_ONLY = frozenset(
    {
        "networks",
        "image",
        "image name",
        "image id",
        "flavor",
        "flavor name",
        "flavor id",
        "power state",
        "task state",
    }
)


def is_server_header(header: Sequence[str]) -> bool:
    cols = {nkey(h) for h in header}
    return {"id", "name", "status"} <= cols and bool(cols & _SERVER_ONLY) and "binary" not in cols


def power_state(value: object) -> str | None:
    """Word form of a power state given as an integer, digits or a word."""
    value = clean(value)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int):
        return POWER_STATES.get(value, str(value))
    text = text_of(value)
    return _POWER_WORDS.get(text.lower(), text) if text else None


_ORIGINAL_NAME = re.compile(r"""original_name['"]?\s*[:=]\s*(['"])(.*?)\1""")
_NAME_AND_ID = re.compile(r"^(?P<name>.*\S)\s+\((?P<id>[^()\s]+)\)$")


def resource_name(value: object, *, show: bool) -> str | None:
    """Flavor or image as a name.

    Accepts a plain name, ``server show``'s ``name (id)``, the embedded flavor of newer
    microversions (a dict in JSON, ``original_name='m1.small', ram='2048'`` in tables) and
    the API's ``{"id": ...}`` reference.
    """
    value = clean(value)
    if isinstance(value, dict):
        return text_of(pick(folded(value), "original name", "name", "id"))
    text = text_of(value)
    if text is None:
        return None
    if "original_name" in text:
        match = _ORIGINAL_NAME.search(text)
        if match:
            return match.group(2) or None
    if show:
        match = _NAME_AND_ID.match(text)
        if match:
            return match.group("name")
    return text


def network_name(value: object) -> str | None:
    """The first network of ``Networks`` / ``addresses``: ``{"ci-net": [...]}`` in JSON,
    ``ci-net=10.20.4.46`` (several joined by ``; ``) in tables."""
    value = clean(value)
    if isinstance(value, dict):
        return next((str(k) for k in value if str(k).strip()), None)
    text = text_of(value)
    if not text or "=" not in text:
        return None
    return text.split("=", 1)[0].strip() or None


def server_row(record: Mapping[str, object], *, show: bool = False) -> dict[str, object]:
    """One ``servers`` row from a list row or a ``server show`` object (any naming era)."""
    f = folded(record)
    status = text_of(pick(f, "status"))
    vm_state = text_of(pick(f, "os-ext-sts:vm state", "vm state"))
    return {
        "id": text_of(pick(f, "id")),
        "name": text_of(pick(f, "name")),
        "status": status.upper() if status else None,
        "task_state": text_of(pick(f, "task state", "os-ext-sts:task state")),
        "vm_state": vm_state.lower() if vm_state else None,
        "power_state": power_state(pick(f, "power state", "os-ext-sts:power state")),
        "host": text_of(
            pick(
                f,
                "host",
                "os-ext-srv-attr:host",
                "compute host",
                "os-ext-srv-attr:hypervisor hostname",
                "hypervisor hostname",
            )
        ),
        "project_id": text_of(pick(f, "project id", "tenant id")),
        "flavor": resource_name(pick(f, "flavor name", "flavor", "flavor id"), show=show),
        "image": resource_name(pick(f, "image name", "image", "image id"), show=show),
        "network": network_name(pick(f, "networks", "addresses")),
        "created_at": text_of(pick(f, "created at", "created")),
        "updated_at": text_of(pick(f, "updated at", "updated")),
        "launched_at": text_of(pick(f, "launched at", "os-srv-usg:launched at")),
    }


def frame_of(
    rows: list[dict[str, object]], path: str | None, problems: list[BundleProblem]
) -> pd.DataFrame:
    """Rows -> a conforming ``servers`` frame, repeats of an id within a file dropped.

    ``path`` names the file; None when the rows come from several, each naming its own.
    """
    frame = pd.DataFrame(rows)
    if frame.empty:
        return conform(TABLE, frame)
    files = row_files(frame, path)
    ids = frame["id"]
    repeated = ids.notna() & pd.DataFrame({"f": files, "id": ids}).duplicated(keep="first")
    if repeated.any():
        for file, dropped in ids[repeated].groupby(files[repeated], sort=False):
            names = ", ".join(sorted({str(i) for i in dropped})[:3])
            problems.append(
                BundleProblem(
                    file=str(file),
                    problem=f"{len(dropped)} repeated server row(s) in one file ({names})",
                    skipped="the repeats (first row of each server kept)",
                )
            )
        frame = frame[~repeated]
    utc_timestamps(frame, TIMESTAMPS, path, problems)
    return conform(TABLE, frame)


def parse(src: SourceFile, ctx: SourceContext) -> ParseResult:
    def fill(result: ParseResult) -> None:
        result.add(TABLE, frame_of(_rows(src, result.problems), src.path, result.problems))

    return fail_forward(src, "server list", fill)


def parse_batch(items: Sequence[BatchItem]) -> ParseResult:
    """``parse`` of several files with one frame built for all: a bundle may hold a listing
    per project or per page, and a frame costs more than its few rows. Raises on a parser
    bug: the caller then parses file by file."""
    result = ParseResult()
    rows = [row for src, _ctx, _lines in items for row in _rows(src, result.problems)]
    result.add(TABLE, frame_of(rows, None, result.problems))
    return result


def _rows(src: SourceFile, problems: list[BundleProblem]) -> list[dict[str, object]]:
    return list_rows(
        src, problems, server_row, accept=is_server_header, wrapper="servers", what="server"
    )


def _json_list(head: str) -> bool:
    if all(has_key(head, k) for k in ("ID", "Name", "Status")) and not has_key(head, "Binary"):
        return any(has_key(head, k) for k in _JSON_MARKERS)
    return False


def _api_list(head: str) -> bool:
    return has_key(head, "OS-EXT-STS:vm_state") or has_key(head, "flavor")


def sniff(head: str) -> bool:
    return sniff_list(
        head, accept=is_server_header, wrapper="servers", json_list=_json_list, api_list=_api_list
    )


_JSON_MARKERS = (
    "Networks",
    "Image",
    "Image Name",
    "Image ID",
    "Flavor",
    "Flavor Name",
    "Flavor ID",
    "Power State",
    "Task State",
)

SPEC = ParserSpec(
    kind="servers",
    tables=(TABLE,),
    paths=("openstack/servers*.json", "openstack/servers*.txt"),
    sniff=sniff,
    parse=parse,
    parse_batch=parse_batch,
)
