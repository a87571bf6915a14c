"""How the reports show a point in time: one precision, the second, everywhere.

The document keeps every timestamp at the precision its source gave (microseconds for
oslo.log and RabbitMQ, seconds for the compute API and Kubernetes); a report that showed
them as they are would mix ``09:06:12Z`` and ``09:06:12.069640Z`` in one column. The
reports show seconds: the rows of every table are already in the order the full
precision gives, so the fractions would only add digits to read. ``analysis.json`` keeps
them.
"""

from __future__ import annotations

import re
from datetime import datetime

# An ISO 8601 UTC time as the document writes it (analyzer.model.iso): seconds, then an
# optional fraction of any length, then Z.
_ISO_UTC = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$")


def is_time(value: str) -> bool:
    """Whether ``value`` is exactly one ISO UTC time, as the document writes them."""
    return _ISO_UTC.match(value) is not None


def at_second(value: str) -> str:
    """An ISO UTC time to the second (``2026-03-02T09:06:12Z``); other text unchanged."""
    m = _ISO_UTC.match(value)
    return f"{m.group(1)}Z" if m else value


def parse_utc(value: str | None) -> datetime | None:
    """A document time as an aware datetime; ``None`` for no time or one without a zone."""
    if value is None:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts if ts.tzinfo is not None else None
