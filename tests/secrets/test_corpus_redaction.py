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


@pytest.mark.parametrize("family", FAMILIES)
def test_numbered_masks_leave_nothing_and_mean_one_value_each(family: str) -> None:
    """--obfuscate: each distinct value its own [REDACTED-N], the same N wherever it is."""
    redactor = Redactor({}, numbered=True)
    text = "\n".join(lines(family)) + "\n"
    out = redactor.redact(text.encode())
    assert [v for v in PLANTED[family] if v.encode() in out] == []
    assert redactor.redact(out) == out  # idempotent: a numbered mask is a mask
    assert SecretScanner().scan(out) == {}
    assert b"[REDACTED]" not in out


def test_one_value_found_by_different_rules_gets_one_number() -> None:
    redactor = Redactor({}, numbered=True)
    out = redactor.redact(
        b"transport_url = rabbit://openstack:Sh4red%2FSecret9@ctl:5672/\n"  # url_credentials
        b'"args": ["--password", "Sh4red/Secret9"]\n'  # argv_json
        b"rabbitmqctl change_password openstack Sh4red/Secret9\n"  # rabbitmqctl_password
        b"  password = Other-Secret42\n"  # config_kv, another value
    ).decode()
    assert out.count("[REDACTED-1]") == 3
    assert out.count("[REDACTED-2]") == 1
