"""What every type of ``analysis.json`` is built from.

The document types are ``msgspec.Struct`` classes: frozen dataclass-like types that
msgspec encodes, decodes and validates, and describes as JSON Schema. Structs rather than
stdlib dataclasses because two keys of the document are named ``class``, a Python
keyword, and only a Struct field can be renamed; and because ``timeline_error`` is a key
that is left out unless set (``msgspec.UNSET``). Field order is key order in the JSON: it
must not change (analysis.json is compared byte for byte across versions).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

# ISO 8601 UTC with a Z, as analyzer.model.iso writes it (fractions of a second kept).
Time = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$",
        description="ISO 8601 time in UTC, ending in Z",
    ),
]
Seconds = Annotated[float, msgspec.Meta(description="a duration in seconds")]
# A finding's facts are whatever its rule measured: any JSON value.
JsonValue = Any


class Record(msgspec.Struct, frozen=True):
    """Base of every document type: frozen (the document is built once, then only read).

    Subclasses repeat ``frozen=True``: type checkers do not inherit it."""
