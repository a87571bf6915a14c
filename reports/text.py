"""How the report writes values: durations, times, fact values, class names, dashes.

Values are left as plain strings here; escaping is the templates' job (HTML autoescape,
Markdown filters).
"""

from __future__ import annotations

from collections.abc import Mapping

from analyzer.document import AnalysisDocument, JsonValue
from reports import wording as w
from reports.times import at_second

DASH = "—"


def shown(value: JsonValue) -> str | None:
    """A JSON value as text (a finding's facts are any JSON); None (and empty containers)
    as None."""
    if value is None or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(t for t in (shown(v) for v in value) if t is not None)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {shown(v) or DASH}" for k, v in value.items())
    if isinstance(value, str):
        return at_second(value)  # a time among the facts reads like every other time
    return str(value)


def text(value: JsonValue, default: str = DASH) -> str:
    """A value as text, ``default`` for a missing or empty one."""
    words = shown(value)
    return default if words is None or words == "" else words


def number(value: JsonValue) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def duration(seconds: float) -> str:
    """Seconds as a short human duration: ``45 s``, ``24 min``, ``2 h 5 min``, ``3 d 4 h``."""
    s = float(seconds)
    if s < 0:
        return f"-{duration(-s)}"
    if s < 60:
        return f"{int(s)} s"
    minutes = int(s // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def maybe_duration(seconds: float | None) -> str:
    return duration(seconds) if seconds is not None else DASH


def second(value: str | None, default: str = DASH) -> str:
    """An ISO time as the report shows it: to the second (the document keeps more)."""
    return at_second(value) if value else default


def fact_text(key: str, value: JsonValue) -> str | None:
    """A fact's value; a number of seconds (a key ending in ``_s``) as a duration."""
    n = number(value)
    if key.endswith("_s") and n is not None:
        return duration(n)
    return shown(value)


def facts(values: Mapping[str, JsonValue], *, drop_zero: bool = False) -> dict[str, str]:
    """Facts as text, the unknown ones left out (and with ``drop_zero`` the zeros and
    falses: an extra sentence about nothing would only be noise)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        if drop_zero and (value is False or (number(value) == 0)):
            continue
        words = fact_text(str(key), value)
        if words is not None and words != "":
            out[str(key)] = words
    return out


def class_name(cls: object) -> str:
    return w.lookup(w.CLASS_NAMES, cls)


def nothing_read(doc: AnalysisDocument) -> str:
    """What the report says instead of a verdict when no file held data, else ""."""
    if doc.counts.data_files:
        return ""
    why = "unrecognised" if doc.unrecognised_files else "other"
    return w.NOTHING_READ.format(why=w.NOTHING_READ_WHY[why])


def grouped(n: int) -> str:
    """A whole number with thousands separators: ``1,184,220``."""
    return f"{n:,}"
