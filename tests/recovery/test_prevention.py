"""Prevention and the burst analysis tell one burst: the timeline's."""

from __future__ import annotations

import re

import pytest
from msgspec.structs import replace

from reports.recovery_view import prevention
from reports.render import render_markdown
from reports.text import duration
from tests.recovery.test_commands import SHIPPED, document


@pytest.mark.parametrize("name", SHIPPED)
def test_prevention_burst_is_the_timeline_burst(name: str) -> None:
    doc = document(name)
    lines = prevention(doc, doc.deployment.value)
    told = [line for line in lines if "preceded the failure" in line]
    burst = doc.burst
    if burst is None or not burst.preceded_failure:
        assert told == []
        return
    (line,) = told
    assert line.startswith(f"In this bundle, {burst.creates_before_onset} VM creates within ")
    assert duration(burst.burst_span_s) in line
    md = render_markdown(doc)
    analysis = md[md.index("### Burst analysis") :]
    assert f"A burst of {burst.creates_before_onset} creates within" in analysis


def test_a_burst_that_did_not_precede_the_failure_is_not_prevention_advice() -> None:
    doc = document("selfhosted-broker-oom")
    assert doc.burst is not None
    quiet = replace(doc, burst=replace(doc.burst, preceded_failure=False))
    assert not [line for line in prevention(quiet, "self-hosted") if "preceded" in line]
    assert [line for line in prevention(doc, "self-hosted") if "preceded" in line]


def test_no_boolean_or_none_in_the_prevention_words() -> None:
    for name in SHIPPED:
        doc = document(name)
        for line in prevention(doc, doc.deployment.value):
            assert not re.search(r"\b(None|True|False|yes|no)\b", line), line
