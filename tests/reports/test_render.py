"""The report renderers: content, escaping, self-containment and a Markdown golden file.

Regenerate the golden file with ``UPDATE_GOLDEN=1 pytest tests/reports``.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.document import from_builtins
from analyzer.model import Deployment, FailureClass
from analyzer.runbook import Source, Symptom
from reports import render_html as render_document_html
from reports import render_markdown as render_document_markdown
from reports import wording as w
from reports.render import md_cell_code, md_code, md_fence, md_text
from tests.reports import samples

GOLDEN = Path(__file__).parent / "golden"
CSP = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">"
)
PAYLOAD = "</style><script>alert(1)</script>{{7*7}}\"'|x\n````\n`<b>&amp;"
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "div", "h1", "h2", "h3", "h4",
    "p", "dl", "dt", "dd", "ul", "ol", "li", "nav", "a", "section", "table", "thead", "tbody",
    "tr", "th", "td", "span", "code", "pre", "strong", "em", "footer", "details", "summary", "br",
}  # fmt: skip


# --- helpers ---------------------------------------------------------------------------


def render_markdown(doc: dict[str, Any]) -> str:
    """A sample (parsed analysis.json) decoded and validated as the report worker does."""
    return render_document_markdown(from_builtins(doc))


def render_html(doc: dict[str, Any]) -> str:
    return render_document_html(from_builtins(doc))


# Strings the schema constrains (class and deployment names, symptom rows, source kinds,
# UTC times): no bundle text reaches them, and a document with anything else there is
# refused (tested below).
_ENUMS = {c.value for c in FailureClass} | {d.value for d in Deployment}
_ENUMS |= {s.value for s in Source} | {s.value for s in Symptom}
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def _free_text(value: str) -> bool:
    return value not in _ENUMS and not _TIME.fullmatch(value)


class _Html(HTMLParser):
    """Collects start tags, attributes and the text of <pre> blocks and of the whole page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.pre: list[str] = []
        self._in_pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "pre":
            self._in_pre += 1
            self.pre.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._in_pre -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_pre:
            self.pre[-1] += data


def parse_html(out: str) -> _Html:
    parser = _Html()
    parser.feed(out)
    parser.close()
    return parser


def poison(value: Any) -> Any:
    """Every string leaf of a document with the injection payload appended."""
    if isinstance(value, str):
        return value + PAYLOAD if _free_text(value) else value
    if isinstance(value, dict):
        return {k: poison(v) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v) for v in value]
    return value


def string_leaves(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in string_leaves(v)]
    if isinstance(value, list):
        return [s for v in value for s in string_leaves(v)]
    return []


def gfm_cells(line: str) -> int:
    """Cell delimiters in a GFM table row, read as cmark-gfm does (backslash escapes a char)."""
    count, i = 0, 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        count += line[i] == "|"
        i += 1
    return count


def md_tables(out: str) -> list[list[str]]:
    """The tables of a Markdown document, outside fenced code blocks."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in without_fences(out).splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


_FENCE_OPEN = re.compile(r"^(`{3,})([A-Za-z]*)$")


def fenced_blocks(out: str) -> list[tuple[str, str]]:
    """(fence, content) of each fenced code block, closed as CommonMark closes it."""
    blocks, lines, i = [], out.split("\n"), 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group(1)
        j = i + 1
        while j < len(lines) and not re.fullmatch(rf"`{{{len(fence)},}}\s*", lines[j]):
            j += 1
        assert j < len(lines), f"unclosed fence at line {i + 1}"
        blocks.append((fence, "\n".join(lines[i + 1 : j])))
        i = j + 1
    return blocks


def without_fences(out: str) -> str:
    kept, lines, i = [], out.split("\n"), 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            kept.append(lines[i])
            i += 1
            continue
        n = len(m.group(1))
        i += 1
        while i < len(lines) and not re.fullmatch(rf"`{{{n},}}\s*", lines[i]):
            i += 1
        i += 1
    return "\n".join(kept)


def without_code(out: str) -> str:
    """Markdown prose only: fenced blocks, code spans and <code> elements removed."""
    text = without_fences(out)
    text = re.sub(r"<code>.*?</code>", "", text)
    return re.sub(r"(?<![`\\])(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


def raw_html(prose: str) -> set[str]:
    """Tags in Markdown prose that GFM would pass through as HTML (unescaped ``<``)."""
    tags = set()
    for m in re.finditer(r"(\\*)<([^>\s]*)", prose):
        if len(m.group(1)) % 2 == 0:
            tags.add(m.group(2))
    return tags


# --- content ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(samples.ALL))
def test_every_sample_renders_in_both_formats(name: str) -> None:
    doc = samples.ALL[name]()
    md, html = render_markdown(doc), render_html(doc)
    cls = w.CLASS_NAMES[doc["verdict"]["class"]]
    if not doc["counts"]["data_files"]:  # nothing read: no verdict is claimed
        cls = w.NOTHING_READ_TITLE
        assert f"**{cls}.** No file in the bundle held data" in md
    else:
        assert f"**Verdict: {cls}**" in md
    assert md.startswith(f"# PCD support bundle analysis: {cls}\n")
    assert html.startswith("<!DOCTYPE html>")
    assert f"<h1>{cls}</h1>" in html
    assert "Generated by analyze" in md
    assert "pcd-analysis/1" in md
    assert "pcd-analysis/1" in html


@pytest.mark.parametrize("name", sorted(samples.ALL))
def test_renderers_do_not_mutate_the_document(name: str) -> None:
    doc = samples.ALL[name]()
    before = copy.deepcopy(doc)
    render_markdown(doc)
    render_html(doc)
    assert doc == before


def test_selfhosted_verdict_line_and_context() -> None:
    md = render_markdown(samples.selfhosted())
    assert (
        "**Verdict: Messaging layer failure**, confidence 86% (high). "
        "Sub-causes: Broker pod in CrashLoopBackOff; Broker container OOMKilled." in md
    )
    assert "- **Deployment:** Self-Hosted (stated in the bundle manifest)" in md
    assert "- **Region / namespace:** pcd-region1 / pcd" in md
    assert "2026-03-02T09:31:00Z (from the bundle manifest)" in md


@pytest.mark.parametrize("render", [render_markdown, render_html])
def test_every_symptom_row_with_observed_and_expected(render: Any) -> None:
    doc = samples.selfhosted()
    out = render(doc)
    shown: Callable[[str], str] = str if render is render_html else md_text
    text = "".join(parse_html(out).text) if render is render_html else out
    for row in doc["symptoms"]:
        assert shown(row["symptom"]) in text
        assert shown(row["observed"]) in text
        for expected in row["expected"].values():
            assert shown(expected) in text
    md = render_markdown(doc)
    assert (
        "| Affects all new VM creates simultaneously | Yes: 3 creates failed or hang within "
        "5 min, not placed on any host | ✓ Yes (all fail at the same time) | ✓ Yes (all fail "
        "at the same time) | No (only VMs on the affected host) |" in md
    )
    assert "| Messaging layer failure (verdict) |" in md


def test_markdown_commands_are_verbatim_in_code_blocks() -> None:
    doc = samples.selfhosted()
    blocks = [content for _, content in fenced_blocks(render_markdown(doc))]
    for step in doc["recovery"]["steps"] + doc["recovery"]["fixes"]:
        assert "\n".join(step["commands"]) in blocks
    assert "\n".join(doc["cleanup"]["commands"]) in blocks
    assert doc["cleanup"]["check"] in blocks


def test_html_commands_are_verbatim_in_pre_blocks() -> None:
    doc = samples.selfhosted()
    pre = parse_html(render_html(doc)).pre
    for step in doc["recovery"]["steps"] + doc["recovery"]["fixes"]:
        assert "\n".join(step["commands"]) in pre
    assert "\n".join(doc["cleanup"]["commands"]) in pre


@pytest.mark.parametrize("render", [render_markdown, render_html])
def test_stuck_vm_ids_and_evidence(render: Any) -> None:
    doc = samples.selfhosted()
    out = render(doc)
    for vm_id in samples.STUCK_IDS:
        assert vm_id in out
    ev = doc["findings"][0]["evidence"][0]
    if render is render_markdown:
        assert f"kubernetes/pods.json:14  2026-03-02T09:29:47Z  {ev['text']}" in out
    else:
        assert '<td class="mono where"><span class="tok">kubernetes/pods.json:14</span></td>' in out


def test_selfhosted_recovery_follows_the_runbook() -> None:
    md = render_markdown(samples.selfhosted())
    assert "### Self-Hosted: restart the messaging layer" in md
    assert "Allow two to three minutes for reconnection" in md
    assert "if the pod crashes again immediately, escalate to Platform9 Support" in md
    assert "### Raise the broker's memory limit" in md
    assert "Current memory limit: 1Gi." in md
    assert "The broker rabbitmq-0 has a memory limit of 1Gi" in md
    assert "New limit: 1280Mi" in md
    assert "create 20–50 VMs at a time" in md
    assert "Self-Hosted only. In SaaS deployments, contact Platform9 Support" in md
    assert (
        "**Broker memory alarm**: matched but not current: resolved at 2026-03-01T22:19:31Z" in md
    )


def test_saas_asks_support_with_the_packet() -> None:
    doc = samples.saas()
    md = render_markdown(doc)
    assert "### SaaS: contact Platform9 Support" in md
    assert "Contact Platform9 Support and provide" in md
    assert "kubectl" not in md.split("## Stuck VMs")[0].split("## Recovery")[1]
    assert "**Time range when VM creates began failing:** 2026-03-02T09:05:00Z to " in md
    assert "| nova-compute | hv-03 | enabled | up | 2026-03-02T09:30:53Z |" in md
    for line in doc["recovery"]["escalation"]["ostackhost_lines"]:
        assert line["text"] in md
    assert "Self-Hosted: restart" not in md
    html = render_html(doc)
    assert "SaaS: contact Platform9 Support" in html


def test_unknown_deployment_shows_both_and_says_when() -> None:
    doc = samples.unknown()
    for out in (render_markdown(doc), render_html(doc)):
        assert "If Self-Hosted: restart the messaging layer" in out
        assert "If SaaS: contact Platform9 Support" in out
        assert "does not say whether this is a Self-Hosted or a SaaS deployment" in out
        assert "kubectl -n pcd delete pod rabbitmq-0" in out
    md = render_markdown(doc)
    assert "no manifest: collection time taken from archive member times" in md


def test_resource_exhaustion_calls_for_capacity_not_a_restart() -> None:
    md = render_markdown(samples.resource_exhaustion())
    assert "Free capacity" in md
    assert "check the tenant quotas" in md
    assert "Do not restart the messaging layer" in md
    assert "restart the messaging layer\n" not in md
    assert "No VM was in BUILD for over ten minutes at collection time." in md


def test_host_failure_names_the_down_host() -> None:
    md = render_markdown(samples.host_failure())
    assert "Down compute host(s): hv-02." in md
    assert "evacuate its VMs" in md
    assert "1 of 4 compute services are down: hv-02." in md


def test_no_failure_has_nothing_to_recover() -> None:
    html = render_html(samples.no_failure())
    assert "Nothing to recover" in html
    assert "cls-no_failure_found" in html


def test_inconclusive_lists_the_commands_to_collect() -> None:
    md = render_markdown(samples.inconclusive())
    assert "Collect the missing sources" in md
    assert "- server list: `pcdctl server list --all-projects --long -f json`" in md
    assert "| servers | server list |" in md


def test_minimal_document() -> None:
    doc = samples.minimal()
    md, html = render_markdown(doc), render_html(doc)
    assert "**Nothing to analyse.** No file in the bundle held data the analyzer reads" in md
    assert "Verdict" not in md.split("## ")[0]
    assert "The analysis holds no symptom table." in md
    assert "No current finding." in md
    assert "cls-inconclusive" in html


@pytest.mark.parametrize(
    ("basis", "words"),
    [
        ("archive-mtime", "no manifest: collection time taken from archive member times"),
        ("newest-data", "no manifest: collection time taken from the newest timestamp in the data"),
        (
            "newest-local-time",
            "no manifest: collection time taken from the newest log time, which names no time "
            "zone; nothing is judged too old against it",
        ),
    ],
)
def test_inferred_collection_time_is_said_plainly(basis: str, words: str) -> None:
    doc = samples.selfhosted()
    doc["collected_at_basis"] = basis
    assert f"2026-03-02T09:31:00Z ({words})" in render_markdown(doc)


@pytest.mark.parametrize(
    ("confidence", "label"), [(0.75, "high"), (0.749, "medium"), (0.5, "medium"), (0.49, "low")]
)
def test_confidence_labels(confidence: float, label: str) -> None:
    doc = samples.inconclusive()
    doc["verdict"]["confidence"] = confidence
    assert f"({label})." in render_markdown(doc)


def test_unknown_keys_are_humanised_not_fatal() -> None:
    doc = samples.selfhosted()
    doc["verdict"]["subcauses"] = ["brand_new_cause"]
    doc["findings"][0]["key"] = "brand_new_cause"
    doc["recovery"]["steps"][0]["key"] = "new_step"
    doc["recovery"]["fixes"][0]["key"] = "new_fix"
    doc["next_steps"]["refs"] = ["fixes/new_fix", "steps/new_step", "elsewhere/x"]
    md = render_markdown(doc)
    assert "Sub-causes: Brand new cause." in md
    assert "### 1. Brand new cause" in md
    assert "**Step 1. New step**" in md
    assert "### New fix" in md
    assert "1. New fix\n" in md  # the next step falls back to the fix's humanised key
    assert "2. New step\n" in md


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("verdict", {"class": None, "confidence": "high", "subcauses": "x", "scores": [1]}),
        ("findings", [None, 3, {"key": None, "facts": [], "evidence": "text"}]),
        ("stuck_vms", [{"age_s": "long"}]),
        ("deployment", "saas" + PAYLOAD),
        ("collected_at", "yesterday"),
    ],
)
def test_a_document_of_the_wrong_shape_is_refused(key: str, value: Any) -> None:
    """The reports render this version's document only: decoding names what is wrong
    (the worker then fails, and the caller renders from the document it holds)."""
    doc = samples.selfhosted()
    doc[key] = value
    with pytest.raises(msgspec.ValidationError, match=re.escape(f"$.{key}")):
        from_builtins(doc)


def test_a_document_without_a_section_is_refused() -> None:
    doc = samples.selfhosted()
    del doc["counts"]
    with pytest.raises(msgspec.ValidationError, match="counts"):
        from_builtins(doc)


# --- HTML safety -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(samples.ALL))
def test_html_is_self_contained_without_script(name: str) -> None:
    out = render_html(samples.ALL[name]())
    assert CSP in out
    assert "<script" not in out.lower()
    assert "javascript:" not in out.lower()
    for external in ("http://", "https://", "//", "<link", "@import", "url(", "src="):
        assert external not in out.replace("<!DOCTYPE html>", "")
    parsed = parse_html(out)
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert parsed.tags.count("style") == 1
    hrefs = [v for k, v in parsed.attrs if k == "href"]
    assert all(h and h.startswith("#") for h in hrefs)
    assert not [k for k, _ in parsed.attrs if k.startswith("on") or k == "style"]


@pytest.mark.parametrize("name", ["selfhosted", "saas", "unknown", "host_failure", "inconclusive"])
def test_html_escapes_injection_in_every_string_field(name: str) -> None:
    doc = poison(samples.ALL[name]())
    out = render_html(doc)
    assert "<script" not in out.lower()
    assert out.count("</style>") == 1
    parsed = parse_html(out)
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert "b" not in parsed.tags
    assert parsed.tags.count("style") == 1
    escaped = "&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escaped in out
    # The template expression stays literal wherever the payload is shown.
    assert out.count("{{7*7}}") == out.count(escaped) > 10
    assert "&amp;amp;" in out
    # The payload reaches the page as text, so document values are not dropped.
    assert PAYLOAD.split("\n")[0] in "".join(parsed.text)


def test_html_escapes_payload_in_each_value_of_the_view() -> None:
    """Each string field poisoned on its own shows up escaped (no field is skipped)."""
    doc = samples.selfhosted()
    leaves = {s for s in string_leaves(doc) if _free_text(s)}
    marker = "<script>x</script>"
    for leaf in sorted(leaves):
        out = render_html(_replace_leaf(doc, leaf, leaf + marker))
        assert "<script>x" not in out, leaf


def _replace_leaf(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new if value == old else value
    if isinstance(value, dict):
        return {k: _replace_leaf(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_leaf(v, old, new) for v in value]
    return value


def test_html_wraps_long_lines_and_keeps_newlines_in_evidence() -> None:
    doc = samples.selfhosted()
    doc["findings"][0]["evidence"][0]["text"] = "A" * 5000 + "\nsecond line"
    out = render_html(doc)
    assert "overflow-wrap: anywhere" in out
    assert "A" * 5000 + "\nsecond line" in out


# --- Markdown safety -------------------------------------------------------------------


def test_markdown_escapes_pipes_and_newlines_in_table_cells() -> None:
    doc = samples.selfhosted()
    doc["symptoms"][0]["observed"] = "Yes | all\nof them"
    doc["stuck_vms"][0]["name"] = "web|07"
    doc["stuck_vms"][0]["id"] = "id|with`tick"
    doc["problems"][0]["file"] = "dir\\|file"
    md = render_markdown(doc)
    assert "| Yes \\| all<br>of them |" in md
    assert "| web\\|07 |" in md
    assert "| ``id\\|with`tick`` |" in md
    for table in md_tables(md):
        assert len({gfm_cells(row) for row in table}) == 1, table


@pytest.mark.parametrize("name", ["selfhosted", "saas", "unknown", "inconclusive"])
def test_markdown_injection_stays_inert(name: str) -> None:
    doc = poison(samples.ALL[name]())
    md = render_markdown(doc)
    prose = without_code(md)
    assert raw_html(prose) <= {"br"}
    assert "{{7*7}}" in md
    assert "49" not in prose
    for table in md_tables(md):
        assert len({gfm_cells(row) for row in table}) == 1, table
    # Evidence and commands survive verbatim inside their fences.
    blocks = [content for _, content in fenced_blocks(md)]
    for f in doc.get("findings") or []:
        lines = [
            f"{e['file']}:{e['line']}" if e["line"] is not None else e["file"]
            for e in f["evidence"]
        ]
        assert any(lines[0] in b for b in blocks)
    for fence, content in fenced_blocks(md):
        longest = max((len(r) for r in re.findall(r"`+", content)), default=0)
        assert len(fence) > longest


def test_markdown_fence_is_longer_than_any_backtick_run() -> None:
    assert md_fence("plain") == "```\nplain\n```"
    assert md_fence("a ``` b\n`````") == "``````\na ``` b\n`````\n``````"
    assert md_fence("cmd", "sh") == "```sh\ncmd\n```"


def test_markdown_inline_helpers() -> None:
    assert md_text("a|b*c_d<e>") == "a\\|b\\*c\\_d\\<e\\>"
    assert md_text("# not a heading") == "\\# not a heading"
    assert md_text("1. not a list") == "1\\. not a list"
    assert md_text("0.70") == "0.70"
    assert md_text("two\nlines") == "two<br>lines"
    assert md_text("&lt;") == "\\&lt;"
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x`") == "`` `x` ``"
    assert md_code("") == "—"
    assert md_cell_code("a|b") == "`a\\|b`"
    assert md_cell_code("a\\|b") == "<code>a\\\\\\|b</code>"


# --- robustness ------------------------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(sorted(samples.selfhosted())), value=_json)
def test_any_value_for_any_top_level_key_renders_or_is_refused(key: str, value: Any) -> None:
    doc = samples.selfhosted()
    doc[key] = value
    try:
        typed = from_builtins(doc)
    except msgspec.ValidationError:
        return  # refused by decoding: the reports never see it
    md, html = render_document_markdown(typed), render_document_html(typed)
    assert md.startswith("# ")
    assert "<script" not in html.lower()


# --- wording covers what the analyzer emits ------------------------------------------


def test_wording_covers_every_rule_and_source() -> None:
    rules = pytest.importorskip("analyzer.rules")
    runbook = pytest.importorskip("analyzer.runbook")
    keys = {rule.key for rule in rules.RULES}
    assert keys <= set(w.FINDING_TITLES)
    assert keys <= set(w.FINDING_SENTENCES)
    assert set(runbook.SOURCES) <= set(w.SOURCE_WHY)


# --- golden ----------------------------------------------------------------------------


def test_selfhosted_markdown_golden() -> None:
    golden = GOLDEN / "selfhosted.md"
    out = render_markdown(samples.selfhosted())
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out, encoding="utf-8")
    assert golden.exists(), "run with UPDATE_GOLDEN=1 to create the golden file"
    assert out == golden.read_text(encoding="utf-8")
