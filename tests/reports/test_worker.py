"""The report worker writes exactly what rendering in process writes, or nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.analysis import analyse
from analyzer.cli import build_app
from analyzer.document import from_json, to_json
from reports import render_html, render_markdown
from reports.worker import REPORTS, ReportWorker

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = ROOT / "fixtures" / "bundles"


def _document(name: str) -> str:
    doc, _frames, _inv = analyse([BUNDLES / name])
    return to_json(doc)


@pytest.mark.parametrize("name", ["selfhosted-broker-oom.tgz", "healthy.tgz", "host-failure.tgz"])
def test_the_worker_writes_what_rendering_in_process_writes(tmp_path: Path, name: str) -> None:
    document = _document(name)
    worker = ReportWorker(
        subprocess.Popen(
            [sys.executable, "-P", "-m", "reports.worker", str(tmp_path)],
            stdin=subprocess.PIPE,
        )
    )
    assert worker.finish(document)
    doc = from_json(document)
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == render_markdown(doc)
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == render_html(doc)


def test_without_a_document_the_worker_writes_nothing(tmp_path: Path) -> None:
    worker = ReportWorker.start(tmp_path)
    if worker is None:
        pytest.skip("one CPU: no worker is started")
    worker.cancel()
    assert list(tmp_path.iterdir()) == []
    eof = subprocess.run(
        [sys.executable, "-P", "-m", "reports.worker", str(tmp_path)],
        input=b"",
        check=False,
    )
    assert eof.returncode == 1
    assert list(tmp_path.iterdir()) == []


def test_a_failing_worker_costs_nothing_but_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(cls: type[ReportWorker], out: Path) -> ReportWorker:
        return cls(
            subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"], stdin=subprocess.PIPE)
        )

    monkeypatch.setattr(ReportWorker, "start", classmethod(broken))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        build_app(), [str(BUNDLES / "selfhosted-broker-oom.tgz"), "-o", str(out), "-q"]
    )
    assert result.exit_code == 1, result.output
    doc = from_json((out / "analysis.json").read_text(encoding="utf-8"))
    assert (out / "report.md").read_text(encoding="utf-8") == render_markdown(doc)
    assert (out / "report.html").read_text(encoding="utf-8") == render_html(doc)


def test_a_reports_folder_in_the_working_directory_is_never_run(tmp_path: Path) -> None:
    """The worker runs with -P: a ./reports package beside the bundle is not imported.

    Run through the console script, as users do (``python -m`` itself would put the working
    directory first on the import path)."""
    planted = tmp_path / "reports"
    planted.mkdir()
    marker = tmp_path / "ran"
    (planted / "__init__.py").write_text("")
    (planted / "worker.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("analyze")),
            str(BUNDLES / "healthy.tgz"),
            "-o",
            "out",
            "-q",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["analysis.json", *REPORTS]
    )
