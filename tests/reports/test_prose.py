"""The Markdown report of every shipped bundle reads as words: no Python value (``None``,
``True``/``False``, ``nan``) and no bare ``yes``/``no`` printed into a sentence, and the
numbers the report gives twice agree, and no finding cites one line twice.

Sentences only: fenced code and table rows (whose cells hold data values, the runbook's
"None" among them) are left out, and so are inline code spans. The analyses are the ones
the schema and lab tests cache for the session.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analyzer.document import AnalysisDocument, from_builtins
from analyzer.model import Evidence, once_per_meaning
from reports import render_markdown
from tests.test_document_schema import SHIPPED, _analysed
from tests.test_lab_fixtures import BUNDLES as LAB_BUNDLES
from tests.test_lab_fixtures import doc_of

BUNDLES = [f"bundles/{p.stem}" for p in SHIPPED] + [f"lab/{n}" for n in sorted(LAB_BUNDLES)]

GARBLED = re.compile(
    r"\bNone\b|\bTrue\b|\bFalse\b|\bnan\b|\bNaN\b"  # Python values
    r"|(?<=\s)(?:yes|no)(?=[.,;:)]|$)"  # a bool's yes/no where words belong
)
CODE_SPAN = re.compile(r"`[^`]*`")


def _doc(bundle: str) -> AnalysisDocument:
    where, name = bundle.split("/", 1)
    if where == "lab":
        return from_builtins(doc_of(name))
    return _analysed(next(p for p in SHIPPED if p.stem == name))


def prose_lines(md: str) -> list[str]:
    """The report's sentences: neither fenced code nor table rows, code spans removed."""
    out, fenced = [], False
    for line in md.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.lstrip().startswith("|"):
            continue
        out.append(CODE_SPAN.sub("`…`", line))
    return out


def test_prose_lines_skip_code_and_tables() -> None:
    md = "Said None here.\n```\nNone\n```\n| a | None |\nover batch no.\nin `None` code\n"
    lines = prose_lines(md)
    assert [line for line in lines if GARBLED.search(line)] == [
        "Said None here.",
        "over batch no.",
    ]
    assert not GARBLED.search("no manifest: collection time taken from the data")


@pytest.mark.slow
@pytest.mark.parametrize("bundle", BUNDLES)
def test_no_python_value_in_the_sentences(bundle: str) -> None:
    md = render_markdown(_doc(bundle))
    garbled = [line for line in prose_lines(md) if GARBLED.search(line)]
    assert garbled == []


DATA_LINE = re.compile(
    r"^- \*\*Data read:\*\* .*?(\d+) of them (?:a )?compute services?", re.MULTILINE
)
SERVICES_ROW = re.compile(
    r"^\| pcdctl compute service list shows hosts up \| [^|]*?(?:all|of|its) (\d+) compute "
    r"services?",
    re.MULTILINE,
)


@pytest.mark.slow
@pytest.mark.parametrize("bundle", BUNDLES)
def test_the_data_line_and_the_symptom_table_count_the_same_compute_services(
    bundle: str,
) -> None:
    md = render_markdown(_doc(bundle))
    data = DATA_LINE.search(md)
    assert data is not None
    row = SERVICES_ROW.search(md)
    if row is None:  # the row gives no number (no service list): nothing to compare
        return
    assert int(data.group(1)) == int(row.group(1))


@pytest.mark.slow
@pytest.mark.parametrize("bundle", BUNDLES)
def test_no_finding_cites_the_same_line_twice(bundle: str) -> None:
    """A pod state or event read from describe and from JSON is one piece of evidence."""
    for finding in _doc(bundle).findings:
        seen = [(e.timestamp, e.text) for e in finding.evidence]
        assert len(seen) == len(set(seen)), finding.key


def test_the_same_line_from_two_sources_is_cited_once_with_both_places() -> None:
    when = datetime(2026, 3, 2, 9, 28, 47, tzinfo=UTC)
    crash = "pod rabbitmq-0, status CrashLoopBackOff"
    merged = once_per_meaning(
        [
            Evidence("kubernetes/describe/rabbitmq-0.txt", 17, when, crash),
            Evidence("kubernetes/events.json", 3, when, "Warning BackOff rabbitmq-0"),
            Evidence("kubernetes/pods.json", 718, when, crash),
            Evidence("hosts/hv-01/ostackhost.log", None, when, crash),
        ]
    )
    assert [(e.file, e.also) for e in merged] == [
        (
            "kubernetes/describe/rabbitmq-0.txt",
            ("kubernetes/pods.json:718", "hosts/hv-01/ostackhost.log"),
        ),
        ("kubernetes/events.json", ()),
    ]


def test_shipped_bundles_are_all_here() -> None:
    root = Path(__file__).resolve().parents[2] / "fixtures"
    assert {f"{p.parent.name}/{p.stem}" for p in root.glob("*/*.tgz")} == set(BUNDLES)
