"""Every pattern the analysis searches log text for, in one registry.

Large logs are read folded (``analyzer.fold``): a record stays a row when it is at WARNING
or above, names a UUID, or matches one of these patterns; every other record is only
counted per minute. A search for a pattern missing here would find nothing in a large
log while working on a small one, so ``RuleContext.logs`` refuses unregistered patterns
and the tests run every rule.
"""

from __future__ import annotations

import importlib

_PATTERNS: dict[str, None] = {}  # an ordered set


def searched(pattern: str) -> str:
    """Register ``pattern`` (RE2 syntax; a leading ``(?i)`` is allowed) and return it."""
    _PATTERNS.setdefault(pattern)
    return pattern


def is_registered(pattern: str) -> bool:
    return pattern in _PATTERNS


def all_patterns() -> tuple[str, ...]:
    """Every registered pattern, once the modules that search are imported."""
    for module in _SEARCHERS:
        importlib.import_module(module)  # registers its patterns
    return tuple(_PATTERNS)


_SEARCHERS = ("analyzer.rules", "analyzer.timeline.families", "analyzer.recovery")
"""The modules that search log text (RuleContext.logs refuses any other pattern)."""


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
