"""The bundle reader: archives and directories, read in memory, limits, unsafe members."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest

from analyzer.bundle import Limits, read_bundle
from analyzer.errors import BundleError


def make_tgz(path: Path, members: dict[str, bytes], *, top: str | None = "pcd-bundle-x") -> Path:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"{top}/{name}" if top else name)
            info.size = len(data)
            info.mtime = 1772443860  # 2026-03-02T09:31:00Z
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(buf.getvalue())
    return path


def test_reads_tgz_and_strips_top_folder(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "b.tgz", {"openstack/servers.json": b"[]", "manifest.json": b"{}"})
    bundle = read_bundle(tgz)
    assert sorted(f.path for f in bundle.files) == ["manifest.json", "openstack/servers.json"]
    assert bundle.name == "b"
    assert bundle.newest_mtime is not None
    assert bundle.newest_mtime.isoformat() == "2026-03-02T09:31:00+00:00"


def test_gz_members_are_decompressed_in_place(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "b.tgz", {"hosts/hv1/ostackhost.log.1.gz": gzip.compress(b"x\n")})
    bundle = read_bundle(tgz)
    assert [(f.path, f.data) for f in bundle.files] == [("hosts/hv1/ostackhost.log.1", b"x\n")]


def test_nested_bundle_is_opened_one_level(tmp_path: Path) -> None:
    inner = make_tgz(tmp_path / "hv1.tgz", {"hosts/hv1/ostackhost.log": b"y\n"}, top=None)
    outer = make_tgz(tmp_path / "outer.tgz", {"hv1.tgz": inner.read_bytes(), "a.txt": b"a"})
    paths = sorted(f.path for f in read_bundle(outer).files)
    assert paths == ["a.txt", "hv1/hosts/hv1/ostackhost.log"]


def test_directory_bundle_skips_symlinks(tmp_path: Path) -> None:
    (tmp_path / "d" / "openstack").mkdir(parents=True)
    (tmp_path / "d" / "openstack" / "servers.json").write_text("[]")
    os.symlink("/etc/passwd", tmp_path / "d" / "passwd")
    bundle = read_bundle(tmp_path / "d")
    assert [f.path for f in bundle.files] == ["openstack/servers.json"]
    assert [p.file for p in bundle.problems] == ["passwd"]


def test_symlink_member_is_a_problem_not_followed(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        link = tarfile.TarInfo("evil")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    (tmp_path / "l.tgz").write_bytes(buf.getvalue())
    bundle = read_bundle(tmp_path / "l.tgz")
    assert bundle.files == []
    assert "not followed" in bundle.problems[0].problem


@pytest.mark.parametrize("name", ["/etc/cron.d/x", "../../x", "a/../../x"])
def test_escaping_member_names_are_rejected(tmp_path: Path, name: str) -> None:
    tgz = make_tgz(tmp_path / "e.tgz", {name: b"x"}, top=None)
    with pytest.raises(BundleError, match=r"absolute|escaping"):
        read_bundle(tgz)


def test_not_an_archive(tmp_path: Path) -> None:
    (tmp_path / "x.tgz").write_bytes(b"hello, not a tarball")
    with pytest.raises(BundleError, match="not a tar archive"):
        read_bundle(tmp_path / "x.tgz")


def test_truncated_gzip(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "t.tgz", {"a.log": os.urandom(50_000)})
    data = tgz.read_bytes()
    tgz.write_bytes(data[: len(data) // 2])
    with pytest.raises(BundleError, match="truncated"):
        read_bundle(tgz)


def test_missing_path() -> None:
    with pytest.raises(BundleError, match="no such file"):
        read_bundle("/nonexistent/bundle.tgz")


def test_member_count_limit(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "m.tgz", {f"f{i}": b"" for i in range(5)})
    with pytest.raises(BundleError) as err:
        read_bundle(tgz, Limits(max_members=3))
    assert err.value.reason == "more than 3 members (raise with --max-members)"


def test_compression_ratio_limit(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "z.tgz", {"zeros": b"\0" * 5_000_000})
    with pytest.raises(BundleError) as err:
        read_bundle(tgz, Limits(max_ratio=2))
    # every limit message names the option that raises it
    assert err.value.reason == (
        "compression ratio exceeds the limit (2:1; archive bomb? raise with --max-ratio)"
    )
