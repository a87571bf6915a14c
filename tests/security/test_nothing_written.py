"""A hostile bundle of each kind leaves no file behind: analyze never extracts.

One child Python runs ``analyze`` over every case of the corpus (and over hostile
directories) with its working directory, ``HOME`` and ``TMPDIR`` inside a scratch tree,
so any file it made, extracted or followed a link to would land in that tree. Afterwards
the tree must hold exactly the inputs plus, for the bundles that were analysed, the three
reports in ``<bundle name>-analysis/``; the temporary directory stays empty. Links in the
corpus point into the tree (``outside/``) so a followed link would show too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

from tests.security.hostile import CASES, TOP, file, link, tgz

ROOT = Path(__file__).resolve().parents[2]
REPORTS = {"analysis.json", "report.md", "report.html"}

DRIVER = """
import json, sys
from analyzer.cli import build_app
codes = {}
for bundle, extra in json.loads(sys.argv[1]):
    try:
        build_app()(args=[bundle, "--quiet", *extra], prog_name="analyze")
    except SystemExit as exc:
        codes[bundle] = exc.code
print(json.dumps(codes))
"""


def snapshot(root: Path) -> set[str]:
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            found.add(os.path.relpath(os.path.join(dirpath, name), root))
    return found


def hostile_directory(where: Path, outside: Path) -> Path:
    d = where / "hostile-dir"
    (d / "openstack").mkdir(parents=True)
    (d / "openstack" / "servers.json").write_text("[]")
    os.symlink(outside, d / "escape")
    os.symlink(outside / "target.txt", d / "target.log")
    os.mkfifo(d / "pipe")
    return d


def test_hostile_bundles_leave_nothing_behind(tmp_path: Path) -> None:
    inputs, work, home, tmp, outside = (tmp_path / n for n in ("in", "work", "home", "tmp", "out"))
    for d in (inputs, work, home, tmp, outside):
        d.mkdir()
    (outside / "target.txt").write_text("outside the bundle\n")
    runs: list[tuple[str, list[str]]] = []
    for case in CASES.values():
        path = inputs / f"{case.name}.tgz"
        path.write_bytes(case.build())
        # The report worker reads only the analysis document, never the bundle, so the
        # corpus goes through the analysis alone; the two runs below write all reports.
        runs.append((str(path), [*case.cli, "--format", "json"]))
    aimed = inputs / "aimed-links.tgz"  # links aimed at a folder inside the scratch tree
    aimed.write_bytes(
        tgz(
            [
                link(f"{TOP}/escape", str(outside), tarfile.SYMTYPE),
                file(f"{TOP}/escape/written.txt", b"owned\n"),
                link(f"{TOP}/hard", str(outside / "target.txt"), tarfile.LNKTYPE),
            ]
        )
    )
    runs.append((str(aimed), []))
    runs.append((str(hostile_directory(inputs, outside)), []))
    before = snapshot(tmp_path)

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(runs)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    codes = json.loads(proc.stdout.strip().splitlines()[-1])
    analysed = {b for b, code in codes.items() if code in (0, 1)}
    assert set(codes.values()) <= {0, 1, 2}
    for name, case in CASES.items():
        expected = (0, 1) if case.outcome == "contain" else (2,)
        assert codes[str(inputs / f"{name}.tgz")] in expected, name

    with_reports = {b for b, extra in runs if "--format" not in extra}
    assert with_reports <= analysed
    expected_new = {
        os.path.join("work", f"{Path(b).name.removesuffix('.tgz')}-analysis", r)
        for b in with_reports
        for r in REPORTS
    }
    written = snapshot(tmp_path) - before
    # The chart library's list of the machine's fonts, which it caches in the user's cache
    # folder the first time it loads (the report worker loads it before the analysis ends,
    # chart or not). It is not bundle content.
    caches = {
        f for f in written if re.fullmatch(r"home/\.cache/matplotlib/fontlist-v[\d.]+\.json", f)
    }
    # The report templates, compiled (reports.render): template code, no bundle content.
    caches |= {
        f
        for f in written
        if re.fullmatch(
            r"home/\.cache/pcd-bundle-analyzer/templates/[0-9a-f]{16}-[0-9a-f]{40}\.cache", f
        )
    }
    assert written - caches == expected_new
    assert before - snapshot(tmp_path) == set()
    assert list(tmp.iterdir()) == []
    assert {p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file()} <= {
        os.path.relpath(tmp_path / f, home) for f in caches
    }
    assert sorted(p.name for p in outside.iterdir()) == ["target.txt"]
    assert (outside / "target.txt").read_text() == "outside the bundle\n"
