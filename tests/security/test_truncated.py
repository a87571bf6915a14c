"""Truncated archives: what was read whole before the cut is analysed, the cut is listed.

The policy is docs/security.md's "Truncated archives". The bundle is the shipped
selfhosted-broker-oom fixture, repacked with openstack/ first (as collectors write the
API documents before the logs), so that its servers lie before a cut at 70%.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from analyzer.bundle import read_bundle
from analyzer.errors import BundleError
from tests.test_e2e import run_cli

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "fixtures" / "bundles" / "selfhosted-broker-oom.tgz"
TOP = "pcd-bundle-selfhosted-broker-oom"


def _first(member: tarfile.TarInfo) -> tuple[int, str]:
    rel = member.name.removeprefix(TOP + "/")
    return (0 if rel.startswith(("openstack", "manifest")) else 1), member.name


def repacked_tar() -> bytes:
    """The fixture's members, openstack/ and the manifest first, as a plain tar."""
    out = io.BytesIO()
    with tarfile.open(SHIPPED) as src, tarfile.open(fileobj=out, mode="w") as dst:
        for member in sorted(src.getmembers(), key=_first):
            data = src.extractfile(member) if member.isfile() else None
            dst.addfile(member, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    raw = repacked_tar()
    return {"tar": raw, "tgz": gzip.compress(raw, mtime=0)}


def analysed(path: Path) -> tuple[int, dict[str, object], str]:
    code, out, err = run_cli(str(path), "--format", "json", "--quiet")
    return code, (json.loads(out) if out else {}), err


@pytest.fixture(scope="module")
def whole_servers(bundles: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> int:
    path = tmp_path_factory.mktemp("whole") / "b.tgz"
    path.write_bytes(bundles["tgz"])
    code, doc, err = analysed(path)
    assert code in (0, 1), err
    counts = doc["counts"]
    assert isinstance(counts, dict)
    servers = counts["servers"]
    assert isinstance(servers, int)
    assert servers > 0
    return servers


@pytest.mark.parametrize("kind", ["tgz", "tar"])
def test_cut_at_70_percent_analyses_what_came_before(
    tmp_path: Path, bundles: dict[str, bytes], whole_servers: int, kind: str
) -> None:
    data = bundles[kind]
    path = tmp_path / f"cut.{kind}"
    path.write_bytes(data[: len(data) * 70 // 100])
    code, doc, err = analysed(path)
    assert code in (0, 1), err
    counts = doc["counts"]
    assert isinstance(counts, dict)
    assert counts["servers"] == whole_servers  # openstack/ lies before the cut
    problems = doc["problems"]
    assert isinstance(problems, list)
    (cut,) = [p for p in problems if p["file"] == path.name]
    assert cut["problem"].startswith("archive truncated after member '")
    assert f"the file ends after {path.stat().st_size} bytes, inside member" in cut["problem"]
    partial = [p for p in problems if p["problem"].startswith("partial: the archive is cut")]
    assert len(partial) == 1
    assert "bytes present" in partial[0]["problem"]
    assert partial[0]["skipped"] == "this file (a partial file is not analysed)"


@pytest.mark.parametrize("kind", ["tgz", "tar"])
def test_cut_at_5_percent_still_reads_the_members_before_it(
    tmp_path: Path, bundles: dict[str, bytes], kind: str
) -> None:
    data = bundles[kind]
    path = tmp_path / f"cut.{kind}"
    path.write_bytes(data[: len(data) * 5 // 100])
    bundle = read_bundle(path)
    assert bundle.get("manifest.json") is not None  # the first members were whole
    (cut,) = [p for p in bundle.problems if p.file == path.name]
    assert "archive truncated after member" in cut.problem
    code, _doc, err = analysed(path)
    assert code in (0, 1), err


@pytest.mark.parametrize("kind", ["tgz", "tar"])
def test_a_cut_inside_the_first_member_is_refused(tmp_path: Path, kind: str) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(f"{TOP}/hosts/hv-01/ostackhost.log")
        log = SHIPPED.read_bytes() * 2  # incompressible enough
        info.size = len(log)
        tar.addfile(info, io.BytesIO(log))
    data = buf.getvalue() if kind == "tar" else gzip.compress(buf.getvalue(), mtime=0)
    path = tmp_path / f"cut.{kind}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(BundleError, match="before any file could be read whole"):
        read_bundle(path)
    code, out, err = run_cli(str(path), "--format", "json", "--quiet")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {path}: truncated archive: the file ends after ")
    assert (
        "inside member 'pcd-bundle-selfhosted-broker-oom/hosts/hv-01/ostackhost.log'" in (lines[0])
    )


def test_a_cut_nested_archive_gives_what_it_holds(
    tmp_path: Path, bundles: dict[str, bytes]
) -> None:
    inner = bundles["tgz"][: len(bundles["tgz"]) * 70 // 100]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("admin/hv-bundle.tgz")
        info.size = len(inner)
        tar.addfile(info, io.BytesIO(inner))
    path = tmp_path / "outer.tgz"
    path.write_bytes(buf.getvalue())
    bundle = read_bundle(path)
    assert any(f.path.endswith("openstack/servers.json") for f in bundle.files)
    (cut,) = [p for p in bundle.problems if p.file == "hv-bundle.tgz"]  # admin/ stripped
    assert cut.problem.startswith("archive truncated after member")
    assert any(p.problem.startswith("partial: ") for p in bundle.problems)


def test_corruption_that_is_not_a_cut_is_still_refused(
    tmp_path: Path, bundles: dict[str, bytes]
) -> None:
    data = bytearray(bundles["tgz"])
    data[-8] ^= 0xFF  # the CRC in the gzip trailer
    path = tmp_path / "crc.tgz"
    path.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="corrupt gzip data"):
        read_bundle(path)


def unpacked_cut(raw: bytes, where: Path, member_suffix: str, fraction: float) -> Path:
    """What ``tar xf`` leaves of ``raw`` cut ``fraction`` into the data of the member whose
    name ends with ``member_suffix``: the members before it whole, that one partial."""
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for member in tar.getmembers():
            target = where / member.name
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            data = tar.extractfile(member)
            assert data is not None
            target.parent.mkdir(parents=True, exist_ok=True)
            if member.name.endswith(member_suffix):
                target.write_bytes(data.read()[: int(member.size * fraction)])
                return where / TOP
            target.write_bytes(data.read())
    raise AssertionError(f"no member {member_suffix}")


def test_an_unpacked_json_cut_short_is_named(tmp_path: Path, bundles: dict[str, bytes]) -> None:
    from analyzer.analysis import analyse
    from analyzer.ingest import CUT_JSON

    folder = unpacked_cut(bundles["tar"], tmp_path, "kubernetes/pods.json", 0.5)
    doc, _frames, _inv = analyse([folder])
    listed = [(p.problem, p.skipped) for p in doc.problems if p.file == "kubernetes/pods.json"]
    assert listed[0][0].startswith("invalid JSON")  # what the parser says already
    assert listed[1:] == [(CUT_JSON, "this file")]


@pytest.mark.parametrize("fold_from", [10**9, 1000], ids=["read-whole", "folded"])
def test_an_unpacked_log_cut_mid_line_is_named(
    tmp_path: Path, bundles: dict[str, bytes], fold_from: int
) -> None:
    from analyzer.analysis import analyse
    from analyzer.ingest import CUT_LOG

    folder = unpacked_cut(bundles["tar"], tmp_path, "hv-04/ostackhost.log", 0.5)
    log = (folder / "hosts" / "hv-04" / "ostackhost.log").read_bytes()
    assert not log.endswith(b"\n")
    doc, _frames, _inv = analyse([folder], fold_from=fold_from)
    assert [(p.file, p.problem) for p in doc.problems] == [("hosts/hv-04/ostackhost.log", CUT_LOG)]


def test_whole_files_get_no_such_note(tmp_path: Path, bundles: dict[str, bytes]) -> None:
    from analyzer.analysis import analyse

    folder = unpacked_cut(bundles["tar"], tmp_path, "hv-04/ostackhost.log", 1.0)
    doc, _frames, _inv = analyse([folder], fold_from=1000)
    assert doc.problems == []
