"""``analyze redact``: a bundle's planted secrets are gone, the diagnosis is not."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import build_redact_app
from fixtures.generate import build

ROOT = Path(__file__).resolve().parent.parent
TOP = "pcd-bundle-planted"
MTIME = 1772443860  # 2026-03-02 09:31 UTC, the scenario's collection time

PLANTED = {
    "S3cr3t-Planted",  # oslo.messaging transport_url
    "PodPw-Planted9",  # --password= of a pod's container
    "Nested-Planted4",  # a config line of a hypervisor bundle nested in this one
    "Rotated-Planted5",  # a password in a compressed log rotation
}


def _tar(entries: list[tuple[str, bytes | None, str | None]]) -> bytes:
    """A .tgz of (name, data, link target): data None with a target is a symlink."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name, data, target in entries:
            info = tarfile.TarInfo(name)
            info.mtime = MTIME
            if target is not None:
                info.type, info.linkname = tarfile.SYMTYPE, target
                tar.addfile(info)
            else:
                assert data is not None
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def _planted_files() -> dict[str, bytes]:
    files = dict(build("selfhosted-broker-oom").files)
    files["openstack/nova.conf"] = (
        b"[DEFAULT]\ntransport_url = rabbit://openstack:S3cr3t-Planted@ctl:5672/\n"
    )
    pods = json.loads(files["kubernetes/pods.json"])
    container = pods["items"][0]["spec"]["containers"][0]
    container["args"] = [*container.get("args", []), "--password=PodPw-Planted9"]
    files["kubernetes/pods.json"] = json.dumps(pods, indent=2).encode()
    files["hv-09.tgz"] = _tar(
        [("hv-09/etc/nova.conf", b"[database]\npassword = Nested-Planted4\n", None)]
    )
    files["hosts/hv-01/hostagent.log.1.gz"] = gzip.compress(
        b"2026-03-01 10:00:00 INFO login password=Rotated-Planted5 ok\n", mtime=0
    )
    files["hosts/hv-01/core.bin"] = b"\x7fELF\x00\x00password=Binary-Planted\x00"
    return files


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    entries: list[tuple[str, bytes | None, str | None]] = [
        (f"{TOP}/{p}", d, None) for p, d in sorted(_planted_files().items())
    ]
    entries.append((f"{TOP}/hosts/hv-01/shadow", None, "/etc/shadow"))
    path = tmp_path_factory.mktemp("in") / f"{TOP}.tgz"
    path.write_bytes(_tar(entries))
    return path


def redact(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(build_redact_app(), [str(a) for a in args])
    return result.exit_code, result.stderr


def members(path: Path) -> Iterator[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(path, "r:gz") as tar:
        for info in tar:
            fh = tar.extractfile(info)
            yield info, fh.read() if fh is not None else b""


@pytest.fixture(scope="module")
def redacted(planted: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("out") / "shared.tgz"
    code, err = redact(planted, "--out", out)
    assert code == 0, err
    return out, err


def test_no_planted_value_is_left(planted: Path, redacted: tuple[Path, str]) -> None:
    original = planted.read_bytes()
    assert b"S3cr3t-Planted" in gzip.decompress(original)  # the test plants what it checks
    out, err = redacted
    names = set()
    for info, data in members(out):
        names.add(info.name)
        for value in PLANTED:
            assert value.encode() not in data, (value, info.name)
        assert b"Binary-Planted" not in data
    for value in [*PLANTED, "Binary-Planted"]:
        assert value not in err  # counts and names only, never a value
    assert "shared/openstack/nova.conf" in names
    assert "shared/hv-09/hv-09/etc/nova.conf" in names  # the nested bundle, under its name
    assert "shared/hosts/hv-01/hostagent.log.1" in names  # the rotation, decompressed
    assert "shared/hosts/hv-01/core.bin" not in names  # binary: dropped
    assert "shared/hosts/hv-01/shadow" not in names  # a link: never followed nor copied
    assert "url_credentials 1" in err
    assert "not copied: hosts/hv-01/core.bin" in err
    assert "not copied: hosts/hv-01/shadow: symbolic link" in err


def test_the_manifest_records_the_re_redaction(redacted: tuple[Path, str]) -> None:
    out, _err = redacted
    doc = next(json.loads(d) for i, d in members(out) if i.name == "shared/manifest.json")
    again = doc["redaction"]["re_redacted"]
    assert again["rules"]["url_credentials"] == 1
    assert "hosts/hv-01/core.bin" in again["not_copied"]
    assert any("re-redacted by `analyze redact`" in n for n in doc["notes"])


def test_members_are_sorted_and_keep_the_input_times(redacted: tuple[Path, str]) -> None:
    out, _err = redacted
    infos = [i for i, _ in members(out)]
    assert [i.name for i in infos] == sorted(i.name for i in infos)
    assert {i.mtime for i in infos} == {MTIME}
    assert out.read_bytes()[4:8] == b"\0\0\0\0"  # gzip header time 0


def test_the_output_is_byte_identical_across_runs(planted: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "x.tgz", tmp_path / "b" / "x.tgz"
    first.parent.mkdir()
    second.parent.mkdir()
    assert redact(planted, "--out", first)[0] == 0
    assert redact(planted, "--out", second)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    assert [p.name for p in first.parent.iterdir()] == ["x.tgz"]  # no temporary left


def _verdicts(*bundles: Path) -> list[dict[str, object]]:
    """``analyze BUNDLE --format json`` of each bundle, the runs side by side."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "analyzer", str(b), "--format", "json", "--quiet"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for b in bundles
    ]
    verdicts = []
    for run in runs:
        out, err = run.communicate()
        assert run.returncode in (0, 1), err
        verdicts.append(json.loads(out)["verdict"])
    return verdicts


def test_the_redacted_bundle_gets_the_same_verdict(
    planted: Path, redacted: tuple[Path, str]
) -> None:
    before, after = _verdicts(planted, redacted[0])
    assert before["class"] == "messaging_layer_failure"
    assert after == before


def test_a_directory_bundle_and_the_default_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "handmade"
    (folder / "etc").mkdir(parents=True)
    (folder / "etc" / "nova.conf").write_text(
        "transport_url = rabbit://openstack:S3cr3t-Planted@ctl:5672/\n"
    )
    (folder / "pods.txt").write_text("NAME READY\nrabbitmq-0 1/1\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, err = redact(folder)
    assert code == 0, err
    out = work / "handmade-redacted.tgz"
    written = {i.name: d for i, d in members(out)}
    assert sorted(written) == ["handmade-redacted/etc/nova.conf", "handmade-redacted/pods.txt"]
    assert b"S3cr3t-Planted" not in written["handmade-redacted/etc/nova.conf"]


def test_a_member_leaving_the_archive_refuses_the_bundle(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.tgz"
    hostile.write_bytes(_tar([("b/ok.log", b"fine\n", None), ("b/../../evil", b"x", None)]))
    out = tmp_path / "out.tgz"
    code, err = redact(hostile, "--out", out)
    assert code == 2
    assert err.startswith("Error: ")
    assert err.count("\n") == 1
    assert "'..'" in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["hostile.tgz"]


def test_the_input_is_never_overwritten(planted: Path, tmp_path: Path) -> None:
    before = planted.read_bytes()
    code, err = redact(planted, "--out", planted)
    assert code == 2
    assert err == f"Error: {planted}: the input bundle; not overwritten\n"
    assert planted.read_bytes() == before
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "a.log").write_text("x\n")
    code, err = redact(folder, "--out", folder / "again.tgz")
    assert code == 2
    assert "inside the input bundle" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.tgz"], "missing.tgz: no such file or directory"),
        (["--max-bytes", "lots", "x.tgz"], "invalid limit"),
    ],
)
def test_bad_input_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = redact(*args)
    assert code == 2
    assert err.startswith("Error: ")
    assert message in err
    assert err.count("\n") == 1


def test_not_an_archive(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.tgz"
    bogus.write_bytes(b"just text\n")
    code, err = redact(bogus, "--out", tmp_path / "o.tgz")
    assert code == 2
    assert "not a tar archive" in err
