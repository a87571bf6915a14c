"""Broken content never stops the analysis: each problem is listed, the rest is analysed.

All content cases are planted together in one copy of the broker-OOM scenario (each in a
file of its own) and the bundle goes once through ``analyze`` end to end; every case then
checks its own entry under "Bundle problems", and the verdict must still be the scenario's.
A second bundle breaks the manifest and a host clock so badly their readers would crash.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from analyzer.cli import build_app
from fixtures.generate import build

SCENARIO = "selfhosted-broker-oom"
Files = dict[str, bytes]


def _servers(files: Files) -> Files:
    rows = json.loads(files["openstack/servers.json"])
    files["openstack/servers.json"] = json.dumps([*rows, dict(rows[0], Name="twin")]).encode()
    return files


def _lines(path: str, edit: Callable[[bytes], bytes]) -> Callable[[Files], Files]:
    def apply(files: Files) -> Files:
        files[path] = edit(files[path])
        return files

    return apply


def _set(path: str, data: bytes) -> Callable[[Files], Files]:
    def apply(files: Files) -> Files:
        files[path] = data
        return files

    return apply


def _first_show(files: Files) -> str:
    return sorted(p for p in files if p.startswith("openstack/server-show/"))[0]


def _show_1970(files: Files) -> Files:
    path = _first_show(files)
    files[path] = files[path].replace(b'"2026-', b'"1970-')
    return files


TRACEBACKS = b"".join(
    b'Traceback (most recent call last):\n  File "/opt/x.py", line 1, in <module>\n'
    b"ValueError: boom\n"
    for _ in range(500)
)
ANSI = b"\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZWNobyBvd25lZA==\x07"

# (id, how the file is broken, file the problem names, words of the problem)
CASES: list[tuple[str, Callable[[Files], Files], str, str]] = [
    (
        "invalid-json",
        _set("openstack/servers-error.json", b'[{"ID": "x", '),
        "openstack/servers-error.json",
        "invalid JSON",
    ),
    (
        "deep-json",
        _set("kubernetes/events.json", b"[" * 100_000 + b"]" * 100_000),
        "kubernetes/events.json",
        "nested too deeply",
    ),
    (
        "huge-number",
        _set("openstack/compute-services.json", b'[{"ID": ' + b"9" * 100_000 + b"}]"),
        "openstack/compute-services.json",
        "invalid JSON",
    ),
    (
        "binary-garbage",
        _set("kubernetes/pods.json", random.Random(5).randbytes(20_000)),
        "kubernetes/pods.json",
        "",
    ),
    (
        "non-utf8",
        _lines("hosts/hv-02/hostagent.log", lambda d: d.replace(b"INFO", b"IN\xff\xfeFO", 3)),
        "hosts/hv-02/hostagent.log",
        "not valid UTF-8",
    ),
    (
        "nul-bytes",
        _lines("hosts/hv-03/hostagent.log", lambda d: d.replace(b"\n", b"\0\n", 5)),
        "hosts/hv-03/hostagent.log",
        "NUL bytes",
    ),
    (
        "50mb-line",
        _lines(
            "hosts/hv-04/hostagent.log",
            lambda d: d + b"2026-03-02 09:20:00,000 - INFO - " + b"A" * 50_000_000 + b"\n",
        ),
        "hosts/hv-04/hostagent.log",
        "longer than",
    ),
    (
        "year-1970-log",
        _lines("hosts/hv-01/ostackhost.log", lambda d: d.replace(b"2026-03-0", b"1970-01-0")),
        "hosts/hv-01/ostackhost.log",
        "before 2000 or after the collection time (e.g. 1970-",
    ),
    (
        "year-2999-log",
        _lines("hosts/hv-02/ostackhost.log", lambda d: d.replace(b"2026-03-0", b"2999-03-0")),
        "hosts/hv-02/ostackhost.log",
        "before 2000 or after the collection time (e.g. 2999-",
    ),
    ("year-1970-json", _show_1970, "<first server-show>", "before 2000"),
    (
        "empty-file",
        _set("kubernetes/describe/rabbitmq-0.txt", b""),
        "kubernetes/describe/rabbitmq-0.txt",
        "empty",
    ),
    ("duplicate-server-id", _servers, "openstack/servers.json", "repeated server"),
    (
        "only-tracebacks",
        _set("hosts/hv-03/ostackhost.log", TRACEBACKS),
        "hosts/hv-03/ostackhost.log",
        "no oslo.log lines recognised",
    ),
    (
        "manifest-future",
        lambda f: _manifest(f, collected_at="2999-01-01T00:00:00Z", region="r\ud800"),
        "manifest.json",
        "collected_at 2999-01-01T00:00:00Z is before 2000 or in the future",
    ),
]


def _manifest(files: Files, **values: Any) -> Files:
    doc = json.loads(files["manifest.json"])
    doc.update(values)
    files["manifest.json"] = json.dumps(doc).encode()
    return files


def _ansi(files: Files) -> Files:
    path = "kubernetes/logs/rabbitmq-0/rabbitmq.log"
    files[path] = files[path].replace(b"alarm set on node ", b"alarm set on node " + ANSI)
    return files


def _write(root: Path, files: Files) -> Path:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def _analyse(bundle: Path, out: Path) -> tuple[int, str, dict[str, Any]]:
    result = CliRunner().invoke(build_app(), [str(bundle), "--out", str(out), "--quiet"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr
    doc = json.loads((out / "analysis.json").read_text(encoding="utf-8")) if out.exists() else {}
    return result.exit_code, result.stderr, doc


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = dict(build(SCENARIO).files)
    for _id, mutate, _file, _words in CASES:
        files = mutate(files)
    files = _ansi(files)
    files["notes-\x1b[31m.bin"] = random.Random(9).randbytes(4096)
    base = tmp_path_factory.mktemp("content")
    code, err, doc = _analyse(_write(base / "bundle", files), base / "out")
    return {
        "code": code,
        "err": err,
        "doc": doc,
        "files": files,
        "md": (base / "out" / "report.md").read_text(encoding="utf-8"),
    }


@pytest.mark.parametrize(("case", "path", "words"), [(c[0], c[2], c[3]) for c in CASES])
def test_each_problem_is_listed(broken: dict[str, Any], case: str, path: str, words: str) -> None:
    if path == "<first server-show>":
        path = _first_show(broken["files"])
    listed = [p for p in broken["doc"]["problems"] if p["file"] == path]
    assert listed, f"{case}: nothing listed for {path}: {broken['doc']['problems']}"
    assert any(words in p["problem"] for p in listed), listed
    assert all(p["skipped"] for p in listed)


def test_the_rest_of_the_bundle_is_still_analysed(broken: dict[str, Any]) -> None:
    assert broken["code"] == 1, broken["err"]
    doc = broken["doc"]
    assert doc["verdict"]["class"] == "messaging_layer_failure"
    assert doc["counts"]["servers"] > 0
    assert doc["counts"]["log_records"] > 0
    assert doc["collected_at_basis"] != "manifest"  # the year-2999 manifest time was refused


def test_unrecognised_garbage_is_listed(broken: dict[str, Any]) -> None:
    assert "notes-\u241b[31m.bin" in broken["doc"]["unrecognised_files"]


def test_unwritable_text_and_terminal_escapes_are_neutralised(broken: dict[str, Any]) -> None:
    doc, md = broken["doc"], broken["md"]
    assert doc["region"] == "r\ufffd"
    for text in (json.dumps(doc, ensure_ascii=False), md):
        assert "\x1b" not in text
        assert "\x07" not in text
    assert "\u241b]0;pwned\u2407" in json.dumps(doc, ensure_ascii=False)


def test_crashing_manifest_and_clock_are_problems(tmp_path: Path) -> None:
    files = dict(build(SCENARIO).files)
    deep = b"[" * 100_000 + b"]" * 100_000
    files["manifest.json"] = deep
    files["hosts/hv-01/clock.json"] = deep
    code, err, doc = _analyse(_write(tmp_path / "b", files), tmp_path / "out")
    assert code == 1, err
    problems = {p["file"]: p["problem"] for p in doc["problems"]}
    assert "unreadable" in problems["manifest.json"]
    assert "unreadable" in problems["hosts/hv-01/clock.json"]
    assert doc["verdict"]["class"] == "messaging_layer_failure"
