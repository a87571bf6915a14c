"""The before/after page carries bundle text: it is escaped, runs no script, loads nothing."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analyzer.compare import analyse_side, compare
from fixtures.generate import build, tarball
from reports.compare import render_compare_html, render_compare_markdown

HOSTILE = '<script>alert("x")</script><img src=http://evil.example/x.png>'
NAME = "ci-runner-109"  # a VM stuck in BEFORE and still in BUILD in the stuck-left AFTER


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, bundles: dict[str, Path]) -> tuple[str, str]:
    """A VM named with HTML in both bundles (a name is whatever the user typed)."""
    out = tmp_path_factory.mktemp("hostile")
    paths = []
    for name, scenario in (("before", "selfhosted-broker-oom"), ("after", "oom-after-stuck-left")):
        built = build(scenario)
        escaped = HOSTILE.replace('"', '\\"').encode()  # inside JSON strings
        built.files = {
            p: d.replace(NAME.encode(), escaped if p.endswith(".json") else HOSTILE.encode())
            for p, d in built.files.items()
        }
        target = out / f"{name}.tgz"
        target.write_bytes(tarball(built, f"pcd-bundle-{name}"))
        paths.append(target)
    doc = compare(analyse_side(paths[0]), analyse_side(paths[1]))
    assert any(v.name == HOSTILE for v in doc.stuck_vms)  # the name did reach the document
    return render_compare_html(doc), render_compare_markdown(doc)


def test_bundle_text_is_escaped_in_html(pages: tuple[str, str]) -> None:
    html, _ = pages
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_the_page_runs_and_loads_nothing(pages: tuple[str, str]) -> None:
    html, _ = pages
    assert "default-src 'none'" in html
    parser = _Tags()
    parser.feed(html)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "link"}
    for _tag, attrs in parser.tags:
        for key, value in attrs:
            assert not key.startswith("on"), key
            if key in ("src", "href", "xlink:href"):
                assert not re.match(r"(?:[a-z]+:|//)", value or "", re.IGNORECASE), value


def test_bundle_text_is_escaped_in_markdown(pages: tuple[str, str]) -> None:
    _, md = pages
    # a fenced block shows its text verbatim: there, and only there, it may stay as it is
    prose = re.sub(r"^(`{3,}).*?^\1$", "", md, flags=re.MULTILINE | re.DOTALL)
    assert "<script>" not in prose
    assert r"\<script\>" in prose
