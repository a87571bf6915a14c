"""Every planted value of the corpus is masked by Redactor.redact; the context around it stays."""

from __future__ import annotations

import pytest

from collectors.pcd_collect import Redactor, SecretScanner
from tests.secrets.corpus import FAMILIES, PLANTED, context_in, lines


def test_the_corpus_is_well_formed() -> None:
    assert sum(len(v) for v in PLANTED.values()) >= 60
    for family in FAMILIES:
        text = "\n".join(lines(family))
        for value in PLANTED[family]:
            assert value in text, (family, value)


@pytest.mark.parametrize("family", FAMILIES)
def test_no_planted_value_survives_redaction(family: str) -> None:
    redactor = Redactor({})
    text = "\n".join(lines(family)) + "\n"
    out = redactor.redact(text.encode()).decode()
    leaked = [value for value in PLANTED[family] if value in out]
    assert leaked == []
    assert redactor.redact(out.encode()).decode() == out  # idempotent


@pytest.mark.parametrize("family", FAMILIES)
def test_context_survives_line_by_line(family: str) -> None:
    """Line by line (a flag and its value on two lines are only masked together, above)."""
    redactor = Redactor({})
    for line in lines(family):
        out = redactor.redact(line.encode()).decode()
        for context in context_in(line, family):
            assert context in out, (context, out)


@pytest.mark.parametrize("family", FAMILIES)
def test_the_independent_scan_sees_the_unredacted_corpus(family: str) -> None:
    """The self-scan shares no rule with the redaction, and still notices most raw shapes."""
    scanner = SecretScanner()
    seen = 0
    for line in lines(family):
        if scanner.scan(line.encode()):
            seen += 1
    assert seen >= 1, family


@pytest.mark.parametrize("family", FAMILIES)
def test_the_independent_scan_is_quiet_on_the_redacted_corpus(family: str) -> None:
    text = "\n".join(lines(family)) + "\n"
    out = Redactor({}).redact(text.encode())
    assert SecretScanner().scan(out) == {}
