"""``analyze compare``: its files, exit statuses and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from analyzer.cli import build_compare_app
from analyzer.compare.document import SCHEMA
from tests.compare.conftest import LAB


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_compare_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_lab_recovery_exits_0_and_writes_the_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out).mkdir()
    (out / "escalation.md").write_text("an older run's packet\n")
    code, _, err = _run(
        str(LAB / "broker-stopped.tgz"),
        str(LAB / "broker-stopped-recovered.tgz"),
        "--out",
        str(out),
        "-q",
    )
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["compare.html", "compare.json", "compare.md"]
    doc = json.loads((out / "compare.json").read_text())
    assert (doc["schema"], doc["outcome"]) == (SCHEMA, "recovered")


def test_reversed_it_exits_1_with_the_packet_on_stdout_format(tmp_path: Path) -> None:
    code, out, err = _run(
        str(LAB / "broker-stopped-recovered.tgz"), str(LAB / "broker-stopped.tgz"), "--format", "md"
    )
    assert code == 1
    assert out.startswith("# Recovery check: A different failure")
    assert "## Escalation to Platform9 Support" in out
    assert "analyze compare: A different failure" in err
    assert "are the arguments swapped?" in err


def test_unreadable_input_is_one_error_line(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.tgz"
    garbage.write_bytes(b"this is not a tar archive\n")
    code, _, err = _run(str(garbage), str(LAB / "broker-stopped.tgz"))
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("Error: ")
    assert "Traceback" not in err


def test_a_missing_side_is_one_error_line(tmp_path: Path) -> None:
    code, _, err = _run(str(LAB / "broker-stopped.tgz"), str(tmp_path / "nowhere"))
    assert (code, err) == (2, f"Error: {tmp_path / 'nowhere'}: no such file or directory\n")


def test_an_empty_folder_is_no_bundle(tmp_path: Path) -> None:
    code, _, err = _run(str(tmp_path), str(LAB / "broker-stopped.tgz"))
    assert code == 2
    assert err == f"Error: {tmp_path}: no bundle (.tgz/.tar.gz/.tar or bundle folder) in it\n"


def test_a_side_may_be_a_folder_of_bundles(tmp_path: Path) -> None:
    after = tmp_path / "after"
    after.mkdir()
    (after / "broker-stopped-recovered.tgz").write_bytes(
        (LAB / "broker-stopped-recovered.tgz").read_bytes()
    )
    code, out, _ = _run(str(LAB / "broker-stopped.tgz"), str(after), "--format", "json", "-q")
    assert code == 0
    doc = json.loads(out)
    assert doc["after"]["bundles"] == ["broker-stopped-recovered"]
