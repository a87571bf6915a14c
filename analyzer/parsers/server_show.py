"""One server from ``pcdctl server show <id>`` (``-f json`` or the Field | Value table).

Input (``-f json``, abridged; ``fault`` only on ERROR/DELETED servers)::

    {
      "OS-EXT-SRV-ATTR:host": "hv-04",
      "OS-EXT-SRV-ATTR:hypervisor_hostname": "hv-04.example.net",
      "OS-EXT-STS:power_state": 0,
      "OS-EXT-STS:task_state": null,
      "OS-EXT-STS:vm_state": "error",
      "OS-SRV-USG:launched_at": null,
      "created": "2026-03-02T09:12:55Z",
      "fault": {"code": 500, "created": "2026-03-02T09:14:07Z",
                "message": "No valid host was found. There are not enough hosts available.",
                "details": "Traceback (most recent call last): ..."},
      "flavor": "m1.small (1)",
      "id": "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13",
      "image": "ubuntu-22.04 (0b8e1f57-6f5c-4a7e-8d0a-3c2b1e9f4d21)",
      "name": "web-07",
      "project_id": "9a3f2c1d0e5b4a6c8d7e1f2a3b4c5d6e",
      "status": "ERROR",
      "updated": "2026-03-02T09:14:07Z"
    }

The table form prints the fault as a Python dict repr (or ``code='500', message='...'``)::

    +------------------------+-------------------------------------------------------------+
    | Field                  | Value                                                       |
    +------------------------+-------------------------------------------------------------+
    | OS-EXT-STS:power_state | NOSTATE                                                     |
    | OS-EXT-STS:vm_state    | error                                                       |
    | fault                  | {'code': 500, 'created': '2026-03-02T09:14:07Z', 'message': |
    |                        | 'No valid host was found. ', 'details': '...'}              |
    | id                     | 6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13                        |
    | status                 | ERROR                                                       |
    +------------------------+-------------------------------------------------------------+

Output: one ``servers`` row per shown server, with vm_state, launched_at and the fault
(fault_code, fault_message, fault_created) on top of the list columns. The newer SDK key
names (``vm_state``, ``compute_host``, ``created_at``...) and novaclient's ``nova show``
(``Property | Value``) are accepted; several outputs appended in one file give several rows.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence

from analyzer.model import BundleProblem, SourceContext, SourceFile
from analyzer.parsers.base import BatchItem, ParseResult, ParserSpec, fail_forward
from analyzer.parsers.osc_output import read_show
from analyzer.parsers.osc_sniff import has_key, sniff_text
from analyzer.parsers.osc_table import is_field_value, table_headers
from analyzer.parsers.osc_values import clean, folded, pick, text_of
from analyzer.parsers.servers import TABLE, frame_of, server_row

_LITERAL_LIMIT = 200_000  # longer fault texts are read with the regexes only

_CODE = re.compile(r"""['"]?\bcode['"]?\s*[:=]\s*['"]?(\d{1,4})\b""")
# a Python 2 client prints u'...' strings; a repr cut short by its paster ends anywhere
_CREATED = re.compile(r"""['"]?\bcreated['"]?\s*[:=]\s*u?['"]([^'"]+)['"]""")
_MESSAGE = re.compile(
    r"""['"]?\bmessage['"]?\s*[:=]\s*u?(?:'((?:[^'\\]|\\.)*)'?|"((?:[^"\\]|\\.)*)"?)"""
)


def _as_dict(text: str) -> dict[str, object] | None:
    """A fault printed as a Python repr or JSON, possibly wrapped over several lines."""
    if len(text) > _LITERAL_LIMIT or not text.startswith("{"):
        return None
    # a cell wrapped by the table is cut at spaces; a value may also hold real newlines
    for candidate in dict.fromkeys((text, text.replace("\n", " "), text.replace("\n", ""))):
        for loads in (ast.literal_eval, json.loads):
            try:
                value = loads(candidate)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue  # not this form
            if isinstance(value, dict):
                return {str(k): v for k, v in value.items()}
    return None


def fault_fields(value: object) -> dict[str, object]:
    """fault_code, fault_message, fault_created from a fault dict or its printed form."""
    value = clean(value)
    if value is None:
        return {}
    if isinstance(value, str):
        value = _as_dict(value) or value
    if isinstance(value, dict):
        f = folded(value)
        code = text_of(pick(f, "code"))
        message = text_of(pick(f, "message"))
        return {
            "fault_code": int(code) if code and code.isdigit() and len(code) < 6 else None,
            "fault_message": message,
            "fault_created": text_of(pick(f, "created")),
        }
    text = text_of(value) or ""
    flat = text.replace("\n", " ")
    code_m = _CODE.search(flat)
    created_m = _CREATED.search(flat)
    message_m = _MESSAGE.search(flat)
    message = (message_m.group(1) or message_m.group(2) or "") if message_m else ""
    if not (code_m or message_m):
        message = text  # free text: the whole value is the message
    return {
        "fault_code": int(code_m.group(1)) if code_m else None,
        "fault_message": message.strip() or None,
        "fault_created": created_m.group(1) if created_m else None,
    }


def parse(src: SourceFile, ctx: SourceContext) -> ParseResult:
    def fill(result: ParseResult) -> None:
        rows = _rows(src, result.problems)
        result.add(TABLE, frame_of(rows, src.path, result.problems))

    return fail_forward(src, "server show", fill)


def parse_batch(items: Sequence[BatchItem]) -> ParseResult:
    """``parse`` of several files with one frame built for all (one per VM in trouble:
    dozens of small files). Raises on a parser bug: the caller then parses file by file."""
    result = ParseResult()
    rows = [row for src, _ctx, _lines in items for row in _rows(src, result.problems)]
    result.add(TABLE, frame_of(rows, None, result.problems))
    return result


def _rows(src: SourceFile, problems: list[BundleProblem]) -> list[dict[str, object]]:
    out = read_show(src, wrapper="server", what="server show")
    problems.extend(out.problems)
    rows = []
    for record in out.records:
        row = server_row(record.fields, show=True)
        if row["id"] is None and row["name"] is None and row["status"] is None:
            problems.append(
                BundleProblem(
                    file=src.path,
                    problem=f"object at line {record.line} has no server id, name or status",
                    skipped="that object",
                )
            )
            continue
        row.update(fault_fields(folded(record.fields).get("fault")))
        row["file"] = src.path
        row["line"] = record.line
        rows.append(row)
    return rows


_SERVER_KEYS = ("flavor", "image", "addresses", "hostId", "OS-EXT-STS:task_state")
_ROW_FIELD = r"^[ \t]*[|│][ \t]*{}[ \t]*[|│]"


def _table_field(head: str, key: str) -> bool:
    return re.search(_ROW_FIELD.format(re.escape(key)), head, re.MULTILINE) is not None


def sniff(head: str) -> bool:
    head = sniff_text(head)
    stripped = head.lstrip()
    if stripped.startswith(("{", "[")):
        if any(has_key(head, k) for k in ("apiVersion", "Binary", "servers", "ID")):
            return False
        if has_key(head, "OS-EXT-STS:vm_state"):
            return True
        if has_key(head, "vm_state") and has_key(head, "id"):  # SDK names only
            return True
        return all(has_key(head, k) for k in ("id", "status", "created")) and any(
            has_key(head, k) for k in _SERVER_KEYS
        )
    if not any(is_field_value(h) for h in table_headers(head)):
        return False
    if _table_field(head, "OS-EXT-STS:vm_state") or _table_field(head, "vm_state"):
        return True
    return all(_table_field(head, k) for k in ("id", "status", "created")) and any(
        _table_field(head, k) for k in _SERVER_KEYS
    )


SPEC = ParserSpec(
    kind="server_show",
    tables=(TABLE,),
    paths=("openstack/server-show/*.json", "openstack/server-show/*.txt"),
    sniff=sniff,
    parse=parse,
    parse_batch=parse_batch,
)
