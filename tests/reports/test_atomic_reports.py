"""Two runs writing one --out take turns: the folder never holds a mixed set of reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reports.files import LOCK_NAME, locked, write_atomic
from tests.test_e2e import run_cli

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = ROOT / "fixtures" / "bundles"
PAIR = ("handmade-renamed", "handmade-legacy-rabbit")
ROUNDS = 4  # each; about 2 s of CPU a run

# One writer: runs `analyze BUNDLE -o OUT` ROUNDS times in one interpreter, the reports
# written by the report worker (a new process each time) in even rounds and in process in
# odd ones, and after each run reads the three files under the folder's lock: they must
# name one bundle, whichever of the two wrote last.
WRITER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from analyzer.cli import build_app
    from reports.files import locked
    from reports.worker import ReportWorker
    from tests.reports.test_atomic_reports import origin

    bundle, out, rounds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    seen = []
    start = ReportWorker.start
    for i in range(rounds):
        ReportWorker.start = start if i % 2 == 0 else classmethod(lambda cls, out: None)
        try:
            build_app()(args=[bundle, "-o", str(out), "-q"], prog_name="analyze")
        except SystemExit as exc:
            if exc.code not in (0, 1):
                raise
        with locked(out):
            seen.append(origin(out))
    print(json.dumps(seen))
    """
)


def origin(out: Path) -> str:
    """The bundle the three reports in ``out`` come from; "mixed: ..." when they disagree."""
    doc = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    (name,) = [b["name"] for b in doc["bundles"]]
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    md_names = {n for n in PAIR if f"`{n}`: " in md}
    html_names = {n for n in PAIR if f"<code>{n}</code>: " in html}
    if md_names == html_names == {name}:
        return name
    return f"mixed: json {name}, md {sorted(md_names)}, html {sorted(html_names)}"


def test_two_runs_on_one_out_never_mix_their_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # the report worker must run this tree's code too (it imports `reports` afresh)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(BUNDLES / f"{name}.tgz"), str(out), str(ROUNDS)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in PAIR
    ]
    seen: list[str] = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        seen += json.loads(stdout)
    assert len(seen) == 2 * ROUNDS
    assert set(seen) <= set(PAIR), seen
    assert origin(out) in PAIR
    assert sorted(p.name for p in out.iterdir()) == ["analysis.json", "report.html", "report.md"]


def test_a_run_that_cannot_get_the_folder_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr("analyzer.cli.analyze.LOCK_WAIT", 0.2)
    with locked(out):
        code, _out, err = run_cli(str(BUNDLES / f"{PAIR[0]}.tgz"), "-o", str(out), "-q")
    assert code == 2
    assert err.strip().splitlines() == [
        f"Error: {out}: another analyze has been writing its reports there for 0.2 s; "
        "try again, or choose another --out"
    ]
    assert list(out.iterdir()) == []


def test_a_second_run_waits_for_the_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with locked(out):
        start = time.monotonic()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import time, sys; from reports.files import locked\n"
                "from pathlib import Path\n"
                "with locked(Path(sys.argv[1]), 10): print(1)",
                str(out),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.5)
        assert proc.poll() is None  # waiting
    stdout, _ = proc.communicate(timeout=30)
    assert stdout.strip() == "1"
    assert time.monotonic() - start >= 0.5
    assert not (out / LOCK_NAME).exists()


def test_a_report_is_renamed_into_place(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]
