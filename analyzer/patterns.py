"""Every pattern the analysis searches log text for, in one registry.

Large logs are read folded (``analyzer.fold``): a record stays a row when it is at WARNING
or above, names a UUID, or matches one of these patterns; every other record is only
counted per minute. A search for a pattern missing here would find nothing in a large
log while working on a small one, so ``RuleContext.logs`` refuses unregistered patterns
and the tests run every rule.

A pattern is registered when the module that searches for it is imported. Those modules
(the rules, the message families, recovery) sit far above this one, so the registry never
imports them: ``analyzer.analysis.searched_patterns`` does, and hands the patterns down.
"""

from __future__ import annotations

_PATTERNS: dict[str, None] = {}  # an ordered set


def searched(pattern: str) -> str:
    """Register ``pattern`` (RE2 syntax; a leading ``(?i)`` is allowed) and return it."""
    _PATTERNS.setdefault(pattern)
    return pattern


def is_registered(pattern: str) -> bool:
    return pattern in _PATTERNS


def registered_patterns() -> tuple[str, ...]:
    """The patterns registered so far: all of them only once every module that searches is
    imported (``analyzer.analysis.searched_patterns`` makes sure of that)."""
    return tuple(_PATTERNS)


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
