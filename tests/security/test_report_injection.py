"""Script injection through bundle text, tried in a real browser (Debian's Chromium).

Two scenario bundles are rebuilt with injection payloads in every place bundle text reaches
the report: server names, fault messages, every log line, pod names, a hypervisor's host
name, the region and namespace, the name of an unrecognised file and of an empty one. Each
report is opened offline in headless Chromium with JavaScript enabled and every request
refused: no dialog, no console error, no request, no element or attribute a payload could
have created, the payload visible as plain text, and the verdict and symptom table
visible. A second test writes raw tags into a rendered report to show that the page's
Content-Security-Policy stops them on its own. Screenshots go to
test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from analyzer.cli import build_app
from fixtures.generate import SCENARIOS as SCENARIO_SPECS
from fixtures.generate import build
from reports.wording import CLASS_NAMES
from tests.browser.test_report_in_browser import SHOTS
from tests.conftest import CHROMIUM

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

PAYLOADS = [
    "<script>alert('script')</script>",
    "<img src=x onerror=alert('img')>",
    "javascript:alert('url')",
    "</style><script>alert('style')</script>",
    "{{7*7}}{% print(7*7) %}${7*7}",
    "<svg onload=alert('svg')>",
    "<iframe src=https://example.invalid/frame></iframe>",
    "<meta http-equiv=refresh content='0;url=https://example.invalid/meta'>",
    "<a href='javascript:alert(1)'>click</a>",
    "<style>*{background:url(https://example.invalid/bg.png)}</style>",
]
PAYLOAD = " ".join(PAYLOADS)  # no double quote or backslash: stays valid inside JSON strings
POD = "<img/src/onerror=alert('pod')>"  # no space: pod names are single words
HOST = "hv-<svg onload=alert('host')>"  # no slash: it is a folder name
SCENARIOS = ["selfhosted-broker-oom", "host-failure"]


def _poison_json(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _poison_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison_json(v, key) for v in value]
    if isinstance(value, str) and key in ("Name", "name", "message"):
        return f"{value} {PAYLOAD}"
    return value


def hostile_files(scenario: str) -> dict[str, bytes]:
    files = dict(build(scenario).files)
    for path, data in list(files.items()):
        if path.startswith("openstack/") and path.endswith(".json"):
            data = json.dumps(_poison_json(json.loads(data))).encode()
        elif path.endswith(".log"):
            suffix = b" " + PAYLOAD.encode()
            data = b"\n".join(line + suffix if line else line for line in data.split(b"\n"))
        if path.startswith("kubernetes/"):
            data = data.replace(b"rabbitmq-0", b"rabbitmq-0" + POD.encode())
        files[path] = data
    manifest = json.loads(files["manifest.json"])
    manifest["region"] = f"{manifest['region']} {PAYLOAD}"
    manifest["namespace"] = f"{manifest['namespace']}<script>alert('ns')</script>"
    files["manifest.json"] = json.dumps(manifest).encode()
    files[f"hosts/{HOST}/ostackhost.log"] = files["hosts/hv-01/ostackhost.log"]
    files["notes-<img src=x onerror=alert('file')>.txt"] = random.Random(1).randbytes(2000)
    files["kubernetes/describe/<svg onload=alert('empty')>.txt"] = b""
    return files


def render(scenario: str, where: Path) -> tuple[Path, dict[str, Any]]:
    root = where / f"pcd-bundle-{scenario}"
    for path, data in hostile_files(scenario).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    out = where / "out"
    result = CliRunner().invoke(build_app(), [str(root), "--out", str(out), "--quiet"])
    assert result.exit_code in (0, 1), result.stderr
    return out / "report.html", json.loads((out / "analysis.json").read_text(encoding="utf-8"))


# Every element or attribute a payload could have created (the report itself has none).
FORBIDDEN = """() => {
  const all = [...document.querySelectorAll('*')];
  return {
    handlers: all.flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on'))
                                                 .map(a => e.tagName + ' ' + a.name)),
    elements: [...document.querySelectorAll(
      'script, iframe, object, embed, frame, base, form, link, body meta, a[href^="javascript"], '
      + 'img:not([src^="data:"])'
    )].map(e => e.outerHTML.slice(0, 80)),
    urls: all.flatMap(e => ['src', 'href', 'action', 'data'].map(n => e.getAttribute(n)))
             .filter(u => u !== null && !u.startsWith('#') && !u.startsWith('data:')),
    styles: document.querySelectorAll('style').length,
  };
}"""


def visit(browser: Any, html: Path, shot: Path) -> dict[str, Any]:
    context = browser.new_context(offline=True, java_script_enabled=True)
    page = context.new_page()
    seen: dict[str, Any] = {"requests": [], "dialogs": [], "errors": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))

    def refuse(route: Any) -> None:
        if route.request.url == html.as_uri():
            route.continue_()
        else:
            seen["requests"].append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # let a refresh, a late onerror or a load event show itself
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    seen["url"] = page.url
    seen["text"] = page.inner_text("body")
    seen["dom"] = page.evaluate(FORBIDDEN)
    seen["verdict_visible"] = page.locator("h1").first.is_visible()
    symptoms = page.locator("table", has_text="VMs stuck in BUILD indefinitely").first
    seen["symptoms_visible"] = symptoms.is_visible()
    context.close()
    return seen


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_payloads_stay_text(browser: Any, tmp_path: Path, scenario: str) -> None:
    html, doc = render(scenario, tmp_path)
    seen = visit(browser, html, SHOTS / f"hostile-{scenario}.png")
    assert seen["dialogs"] == []
    assert seen["errors"] == []
    assert seen["requests"] == []
    assert seen["url"] == html.as_uri()  # no refresh, no navigation
    assert seen["dom"]["handlers"] == []
    assert seen["dom"]["elements"] == []
    assert seen["dom"]["urls"] == []
    assert seen["dom"]["styles"] == 1  # the report's own
    text = seen["text"]
    assert "<script>alert('script')</script>" in text  # shown, escaped, not dropped
    assert "{{7*7}}" in text
    assert HOST in text
    if scenario == "selfhosted-broker-oom":
        assert POD in text  # the broker pod, in the recovery commands
    assert seen["verdict_visible"]
    assert seen["symptoms_visible"]
    assert doc["verdict"]["class"] == SCENARIO_SPECS[scenario].expected["class"]
    assert CLASS_NAMES[doc["verdict"]["class"]] in text


def test_the_content_security_policy_alone_stops_script_and_remote_loads(
    browser: Any, tmp_path: Path
) -> None:
    html, _doc = render("selfhosted-broker-oom", tmp_path)
    page = html.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page
    raw = (
        "<script>alert('raw')</script>"
        "<img src=x onerror=\"alert('raw-img')\">"
        '<img src="https://example.invalid/raw.png">'
        '<link rel="stylesheet" href="https://example.invalid/raw.css">'
        '<iframe src="https://example.invalid/raw"></iframe>'
        "<div style=\"background:url('https://example.invalid/bg.png')\">x</div>"
    )
    tampered = tmp_path / "tampered.html"
    tampered.write_text(page.replace("<body>", "<body>" + raw, 1), encoding="utf-8")
    seen = visit(browser, tampered, SHOTS / "csp-tampered.png")
    assert seen["dialogs"] == []
    assert seen["requests"] == []
    assert seen["errors"], "the browser should report what the policy refused"
    assert all("Content Security Policy" in e for e in seen["errors"]), seen["errors"]
