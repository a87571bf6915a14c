"""Telling a pcdctl / openstackclient (osc) output's kind from the first bytes of the file.

A sniffer sees only a head of the file, in whichever form the command printed: a JSON
list, a raw API response (``{"servers": [...]}``), a box table or CSV. It judges the
form's header or keys, never the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from analyzer.parsers.osc_table import table_headers


def sniff_text(head: str) -> str:
    """Normalise a sniffing head: drop NULs (UTF-16 read as UTF-8) and a leading BOM."""
    if "\x00" in head:
        head = head.replace("\x00", "")
    return head.lstrip("\ufeff\ufffd")


_JSON_LIST = re.compile(r"^[ \t]*\[\s*\{", re.MULTILINE)


def has_key(head: str, key: str) -> bool:
    """``"key":`` stands in the head (a JSON key, wherever the document put it)."""
    return re.search(rf'"{re.escape(key)}"\s*:', head) is not None


def sniff_list(
    head: str,
    *,
    accept: Callable[[Sequence[str]], bool],
    wrapper: str,
    json_list: Callable[[str], bool],
    api_list: Callable[[str], bool],
) -> bool:
    """A list command's output of one kind, in any form ``read_list`` reads.

    A JSON list is judged by ``json_list``, a raw API response (``{"<wrapper>": [...]}``)
    by ``api_list``, each given the normalised head; a table or CSV by its header.
    """
    head = sniff_text(head)
    if _JSON_LIST.search(head):
        return json_list(head)
    if re.search(rf'^[ \t]*\{{\s*"{re.escape(wrapper)}"\s*:\s*\[', head, re.MULTILINE):
        return api_list(head)
    if any(accept(h) for h in table_headers(head)):
        return True
    first = head.lstrip().split("\n", 1)[0]
    return first.startswith('"') and accept([c.strip().strip('"') for c in first.split(",")])
