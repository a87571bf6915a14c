"""Counts in sentence templates: ``{n:# VM has|# VMs have}`` reads "1 VM has", "3 VMs have".

Rule sentences, symptom rows and the report's wording are constant templates with
``{name}`` fields filled from facts. A field whose format spec holds ``|`` is a count:
the words before the bar for exactly 1, those after it otherwise, with ``#`` standing for
the number (``{restarts:once|# times}``; ``{down:is|are}`` shows no number at all). Any
other field is the value as text.
"""

from __future__ import annotations

import string
from collections.abc import Mapping


def counted(value: object, spec: str) -> str:
    """The words of ``spec`` (``one|many``) for ``value``, ``#`` replaced by it."""
    one, _, many = spec.partition("|")
    text = str(value)
    return (one if text == "1" else many).replace("#", text)


def render(template: str, values: Mapping[str, object]) -> str:
    """``template`` with every field filled from ``values`` (a missing one: KeyError)."""
    out: list[str] = []
    for literal, name, spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is None:
            continue
        value = values[name]
        out.append(counted(value, spec) if spec and "|" in spec else str(value))
    return "".join(out)


def fields(template: str) -> list[str]:
    """The names of ``template``'s fields, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
