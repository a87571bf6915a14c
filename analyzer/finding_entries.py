"""The document's entries for the diagnosis' own types: evidence lines and findings."""

from __future__ import annotations

import msgspec

from analyzer import document as doc
from analyzer.model import Evidence, Finding, iso, jsonable


def evidence_entry(e: Evidence) -> doc.Evidence:
    return doc.Evidence(
        file=e.file,
        line=e.line,
        timestamp=iso(e.timestamp),
        text=e.text,
        also=list(e.also) if e.also else msgspec.UNSET,
    )


def finding_entry(f: Finding, description: str) -> doc.Finding:
    return doc.Finding(
        key=f.key,
        supports=f.supports,
        strength=round(f.strength, 3),
        subcause=f.subcause,
        facts={k: jsonable(v) for k, v in f.facts.items()},
        evidence=[evidence_entry(e) for e in f.evidence],
        description=description,
    )
