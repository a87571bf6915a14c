"""One file, Python 3.8+, standard library only, documented flag by flag."""

from __future__ import annotations

import ast
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from collectors.pcd_collect import VERSION, build_parser, main
from tests.collector.fakes import COLLECTOR, ROOT, bundle_path_from, make_fake_tools, manifest

DOC = ROOT / "docs" / "collector.md"


def test_vermin_python38_floor() -> None:
    vermin = shutil.which("vermin", path=str(Path(sys.executable).parent)) or shutil.which("vermin")
    assert vermin, "vermin is a test dependency (pip install -e .[test])"
    result = subprocess.run(
        [vermin, "-t=3.8-", "--no-tips", "--violations", str(COLLECTOR)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_imports_only_the_standard_library() -> None:
    tree = ast.parse(COLLECTOR.read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    assert modules - {"__future__"} <= set(sys.stdlib_module_names), modules


def test_help_runs_from_a_bare_copy(tmp_path: Path) -> None:
    copy = tmp_path / "pcd_collect.py"
    shutil.copy(COLLECTOR, copy)
    # -I: no user site, no PYTHONPATH; -S: no site-packages at all
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(copy), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: pcd-collect")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pcd_collect.py"]


def test_console_script_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"pcd-collect {VERSION}"


def test_commands_are_argument_lists_with_timeouts() -> None:
    source = COLLECTOR.read_text()
    assert "shell=True" not in source
    assert source.count("subprocess.Popen(") == 1  # only in run_command, which always times out
    assert "os.system" not in source


def _python38() -> str | None:
    candidates = [os.environ.get("PCD_COLLECT_PYTHON38"), shutil.which("python3.8")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.8*/bin/python3.8")))
    for candidate in filter(None, candidates):
        try:
            probe = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
        except OSError:
            continue
        if probe.stdout.strip() == "(3, 8)":
            return candidate
    return None


def test_a_whole_collection_under_python38(tmp_path: Path) -> None:
    python38 = _python38()
    if python38 is None:
        pytest.skip("no Python 3.8 here; the vermin test still guards the floor")
    fakes = make_fake_tools(tmp_path, "messaging")
    command = fakes.command("-q", "--obfuscate")
    command[0] = python38
    result = subprocess.run(
        command, env=fakes.env(), capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    doc = manifest(bundle_path_from(result))
    assert doc["collector"]["python"].startswith("3.8.")
    assert doc["deployment"] == "self-hosted"


def test_every_flag_is_documented() -> None:
    text = DOC.read_text()
    flags = [
        opt
        for action in build_parser()._actions
        for opt in action.option_strings
        if opt.startswith("--") and opt != "--help"
    ]
    missing = [flag for flag in flags if f"`{flag}" not in text]
    assert not missing, f"docs/collector.md does not describe {missing}"
