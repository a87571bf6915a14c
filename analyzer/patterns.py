"""Every pattern the analysis searches log text for, in one registry.

Large logs are read folded (``analyzer.fold``): a record stays a row when it is at WARNING
or above or matches one of these patterns (a sampled one: see ``searched``); every other
record is only counted per minute, or indexed when it names an instance. A search for a
pattern missing here would find nothing in a large log while working on a small one, so
``RuleContext.logs`` refuses unregistered patterns and the tests run every rule.

A pattern is registered when the module that searches for it is imported. Those modules
(the rules, the message families, recovery) sit far above this one, so the registry never
imports them: ``analyzer.analysis.searched_patterns`` does, and hands the patterns down.
"""

from __future__ import annotations

_PATTERNS: dict[str, None] = {}  # an ordered set
_AS_ROWS: set[str] = set()  # registered at least once without ``sampled``


def searched(pattern: str, *, sampled: bool = False) -> str:
    """Register ``pattern`` (RE2 syntax; a leading ``(?i)`` is allowed) and return it.

    ``sampled``: its readers ask only "the last one per host" or "is there one after this
    time" and how many per minute (a build that completed, a login that succeeded), never
    for every record. A busy log holds one such line per VM built or connection opened:
    a folded log keeps, of the records that match sampled patterns only, the first and
    last of each minute as rows and indexes the rest (``analyzer.fold``). A pattern also
    registered without ``sampled`` is not sampled.
    """
    _PATTERNS.setdefault(pattern)
    if not sampled:
        _AS_ROWS.add(pattern)
    return pattern


def is_registered(pattern: str) -> bool:
    return pattern in _PATTERNS


def registered_patterns() -> tuple[str, ...]:
    """The patterns registered so far: all of them only once every module that searches is
    imported (``analyzer.analysis.searched_patterns`` makes sure of that)."""
    return tuple(_PATTERNS)


def sampled_patterns() -> tuple[str, ...]:
    """The registered patterns only ever registered as ``sampled``."""
    return tuple(p for p in _PATTERNS if p not in _AS_ROWS)


def union(patterns: tuple[str, ...]) -> str:
    """One RE2 alternation of ``patterns`` (``(?i)`` prefixes become scoped flags)."""
    if not patterns:
        raise ValueError("no patterns: an empty alternation would match every line")
    parts = []
    for p in patterns:
        if p.startswith("(?i)"):
            parts.append(f"(?i:{p[4:]})")
        else:
            parts.append(f"(?:{p})")
    return "|".join(parts)
