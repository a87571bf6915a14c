"""The section on the routine (folded) lines of large logs: its figures, its place in the
page, its absence when no log was folded, and its escaping (every string in it is text
from the customer's logs)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from reports import wording as w
from reports.routine_view import about, hosts, share
from tests.reports import samples
from tests.reports.test_render import (
    ALLOWED_TAGS,
    fenced_blocks,
    gfm_cells,
    md_tables,
    parse_html,
    poison,
    raw_html,
    render_html,
    render_markdown,
    without_code,
)

HOSTILE = "</code><script>alert(1)</script> a|b `tick` ``two``\nnext line"
HTML_HOSTILE = "&lt;/code&gt;&lt;script&gt;alert(1)&lt;/script&gt; a|b `tick` ``two``\nnext line"


def folded() -> dict[str, Any]:
    return samples.with_routine_messages(samples.selfhosted())


def _section(md: str) -> str:
    start = md.index(f"## {w.ROUTINE_TITLE}\n")
    return md[start : md.index("\n## ", start + 1)]


def _table_row(md: str, number: int) -> str:
    return next(line for line in _section(md).splitlines() if line.startswith(f"| {number} |"))


# --- figures ---------------------------------------------------------------------------


def test_estimates_are_rounded_to_what_the_sample_vouches_for() -> None:
    assert about(402112, 12566) == "about 402,000"
    assert about(315872, 9871) == "about 320,000"
    assert about(96, 3) == "about 100"
    assert about(32, 1) == "about 30"
    assert about(7, 7) == "about 7"


def test_shares_of_the_folded_records() -> None:
    assert share(402112, 1184220) == "about 34%"
    assert share(30000, 1184220) == "about 2.5%"
    assert share(96, 1184220) == w.ROUTINE_SHARE_TINY
    assert share(96, 0) == "—"


@pytest.mark.parametrize(
    ("names", "count", "words"),
    [
        ([f"hv-0{i}" for i in range(1, 6)], 20, "hv-01, hv-02, hv-03 and 17 more"),
        (["hv-01", "hv-02", "hv-03", "hv-04"], 4, "hv-01, hv-02, hv-03 and hv-04"),
        (["hv-01", "hv-02", "hv-03", "hv-04", "hv-05"], 5, "hv-01, hv-02, hv-03 and 2 more"),
        (["hv-01", "hv-02"], 2, "hv-01 and hv-02"),
        (["hv-01"], 1, "hv-01"),
        ([], 3, "3 hosts"),
        ([], 0, "—"),
    ],
)
def test_hosts_past_the_third_are_counted(names: list[str], count: int, words: str) -> None:
    assert hosts(names, count) == words


def test_markdown_section_with_its_figures() -> None:
    md = render_markdown(folded())
    section = _section(md)
    assert "one folded record in 32 (37,007 of 1,184,220 folded records)" in section
    assert "the 4 most frequent of the 41 templates it held" in section
    assert section.count("about 402,000") == 1  # the estimate is said once per row
    assert _table_row(md, 1) == (
        "| 1 | `nova.compute.manager [req-<id> - - - - -] [instance: <id>] Took <n> "
        "seconds to build instance.` | INFO | about 402,000 | about 34% | "
        "hv-01, hv-02, hv-03 and 17 more | 2026-03-02T07:00:01Z | 2026-03-02T09:29:58Z |"
    )
    assert "| about 100 | under 0.1% | scheduler-0 |" in _table_row(md, 4)
    for table in md_tables(section):
        assert len({gfm_cells(row) for row in table}) == 1, table
    [(_, examples)] = fenced_blocks(section)
    assert examples.startswith(
        "1. hosts/hv-01/ostackhost.log:1042\n"
        "   2026-03-02 07:00:01.123 23615 INFO nova.compute.manager [req-0d3e"
    )
    assert "4. pods/nova-scheduler-0/nova-scheduler.log:20311\n" in examples


def test_markdown_section_is_secondary_reading() -> None:
    """After the recovery and prevention, before the data gaps."""
    md = render_markdown(folded())
    headings = re.findall(r"^## (.+)$", md, flags=re.MULTILINE)
    at = headings.index(w.ROUTINE_TITLE)
    assert headings[at - 1] == "Prevention"
    assert headings[at + 1] == "Data gaps and caveats"


def test_html_section_with_its_figures() -> None:
    html = render_html(folded())
    start = html.index('<section id="routine">')
    section = html[start : html.index("</section>", start)]
    assert f"<h2>{w.ROUTINE_TITLE}</h2>" in section
    assert "one folded record in 32 (37,007 of 1,184,220 folded records)" in section
    assert '<td class="nowrap">about 402,000</td><td class="nowrap">about 34%</td>' in section
    assert '<td class="hosts">hv-01, hv-02, hv-03 and 17 more</td>' in section
    assert '<span class="tok">2026-03-02T07:00:01Z</span>' in section
    assert section.count("<details") == 4
    assert '<span class="tok mono">hosts/hv-01/ostackhost.log:1042</span>' in section
    assert "Took 12.31 seconds to build instance.</div></details>" in section
    assert '<a href="#routine">' in html
    assert html.index('id="prevention"') < start < html.index('id="gaps"')


# --- absent ----------------------------------------------------------------------------


@pytest.mark.parametrize("routine", [None, "no messages"])
def test_no_section_when_no_log_was_folded(routine: str | None) -> None:
    doc = samples.selfhosted()
    if routine is not None:
        doc = folded()
        doc["routine_messages"]["messages"] = []
    md, html = render_markdown(doc), render_html(doc)
    assert w.ROUTINE_TITLE not in md
    assert w.ROUTINE_TITLE not in html
    assert 'id="routine"' not in html
    assert "#routine" not in html


# --- escaping --------------------------------------------------------------------------


def _hostile() -> dict[str, Any]:
    doc = folded()
    first = doc["routine_messages"]["messages"][0]
    first["template"] = HOSTILE
    first["level"] = "INFO|<b>x</b>"
    first["hosts"] = ["hv|01", "<i>hv-02</i>", "`hv-03`"]
    first["example"] = "```\n" + HOSTILE + "\n```"
    first["example_file"] = "hosts/<script>x</script>|.log"
    return doc


def test_markdown_escapes_hostile_text_in_the_section() -> None:
    md = render_markdown(_hostile())
    section = _section(md)
    row = _table_row(md, 1)
    assert row.startswith(
        "| 1 | ```</code><script>alert(1)</script> a\\|b `tick` ``two`` ↵ next line``` | "
        "INFO\\|\\<b\\>x\\</b\\> |"
    )
    assert "| hv\\|01, \\<i\\>hv-02\\</i\\>, \\`hv-03\\` and 17 more |" in row
    assert raw_html(without_code(section)) <= {"br"}
    for table in md_tables(section):
        assert len({gfm_cells(row) for row in table}) == 1, table
    # The example stays verbatim inside a fence longer than its backtick runs.
    [(fence, examples)] = fenced_blocks(section)
    assert len(fence) == 4
    assert "   ```\n   </code><script>alert(1)</script> a|b `tick` ``two``\n   next line" in (
        examples
    )


def test_markdown_shows_a_template_with_backslashes_as_escaped_text() -> None:
    doc = folded()
    doc["routine_messages"]["messages"][0]["template"] = "C:\\path|</code><script>"
    row = _table_row(render_markdown(doc), 1)
    assert row.startswith("| 1 | <code>C:\\\\path\\|\\</code\\>\\<script\\></code> |")


def test_html_escapes_hostile_text_in_the_section() -> None:
    html = render_html(_hostile())
    assert "<script" not in html.lower()
    parsed = parse_html(html)
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert not {"b", "i", "script"} & set(parsed.tags)
    assert f"<code>{HTML_HOSTILE}</code>" in html
    assert '<td class="nowrap">INFO|&lt;b&gt;x&lt;/b&gt;</td>' in html
    assert '<td class="hosts">hv|01, &lt;i&gt;hv-02&lt;/i&gt;, `hv-03` and 17 more</td>' in html
    assert "hosts/&lt;script&gt;x&lt;/script&gt;|.log:1042" in html
    assert f'<div class="mono">```\n{HTML_HOSTILE}\n```</div>' in html
    # every string of the section reaches the page as text
    assert HOSTILE in "".join(parsed.text)


def test_every_string_of_the_section_poisoned_stays_inert() -> None:
    doc = folded()
    doc["routine_messages"] = poison(doc["routine_messages"])
    html, md = render_html(doc), render_markdown(doc)
    assert "<script" not in html.lower()
    assert set(parse_html(html).tags) <= ALLOWED_TAGS
    section = _section(md)
    assert raw_html(without_code(section)) <= {"br"}
    assert "{{7*7}}" in section
    for table in md_tables(section):
        assert len({gfm_cells(row) for row in table}) == 1, table
