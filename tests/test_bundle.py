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


# --- nothing to read, and one file on its own -------------------------------------------


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="nothing to read: the folder holds no files"):
        read_bundle(tmp_path)


def test_an_archive_of_folders_only_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("pcd-bundle-x")
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
    (tmp_path / "d.tgz").write_bytes(buf.getvalue())
    with pytest.raises(BundleError, match="nothing to read: the archive holds no files"):
        read_bundle(tmp_path / "d.tgz")


def test_a_folder_of_links_only_is_read_with_its_problems(tmp_path: Path) -> None:
    os.symlink("/etc/hostname", tmp_path / "link.log")
    bundle = read_bundle(tmp_path)
    assert bundle.files == []
    assert [p.file for p in bundle.problems] == ["link.log"]


def test_a_single_log_is_a_one_file_bundle(tmp_path: Path) -> None:
    log = tmp_path / "rabbit.log"
    log.write_bytes(b"2026-03-02 09:00:00.000 [info] <0.1.0> started\n")
    bundle = read_bundle(log)
    assert bundle.name == "rabbit.log"
    assert [(f.path, f.data) for f in bundle.files] == [("rabbit.log", log.read_bytes())]
    assert bundle.problems == []
    assert bundle.newest_mtime is None  # a pasted file's time says nothing of the collection


def test_a_single_gzipped_log_is_inflated(tmp_path: Path) -> None:
    (tmp_path / "ostackhost.log.1.gz").write_bytes(gzip.compress(b"x\n"))
    bundle = read_bundle(tmp_path / "ostackhost.log.1.gz")
    assert [(f.path, f.data) for f in bundle.files] == [("ostackhost.log.1", b"x\n")]


def test_a_link_named_on_the_command_line_is_followed_like_an_archive(tmp_path: Path) -> None:
    (tmp_path / "real.log").write_bytes(b"hello\n")
    os.symlink(tmp_path / "real.log", tmp_path / "pasted.log")
    bundle = read_bundle(tmp_path / "pasted.log")
    assert [(f.path, f.data) for f in bundle.files] == [("pasted.log", b"hello\n")]


def test_a_single_file_is_held_to_the_size_limit(tmp_path: Path) -> None:
    (tmp_path / "big.log").write_bytes(b"x" * 1000)
    with pytest.raises(BundleError, match="exceeds the size limit"):
        read_bundle(tmp_path / "big.log", Limits(max_total_bytes=100))


def test_an_empty_single_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.log").write_bytes(b"")
    with pytest.raises(BundleError, match="nothing to read: the file is empty"):
        read_bundle(tmp_path / "empty.log")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bundle", gzip.compress(b"not a tar inside")),  # gzip magic, no .gz name
        ("bundle.zip", b"PK\x03\x04rest of a zip"),
        ("x.tar", b"a text file named like an archive"),
    ],
)
def test_what_looks_like_an_archive_is_still_read_as_one(
    tmp_path: Path, name: str, data: bytes
) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(BundleError, match="not a tar archive"):
        read_bundle(tmp_path / name)


def test_a_tar_without_an_archive_name_is_read_as_an_archive(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "b.tgz", {"openstack/servers.json": b"[]"})
    plain = tmp_path / "download"
    plain.write_bytes(gzip.decompress(tgz.read_bytes()))
    assert [f.path for f in read_bundle(plain).files] == ["openstack/servers.json"]
