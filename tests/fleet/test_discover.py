"""Which bundles `analyze fleet` finds under a folder, and the partition key each gets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analyzer.errors import UsageError
from analyzer.fleet.discover import find_bundles, partition_key


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_archives_and_bundle_folders_are_found_and_nothing_inside_them(tmp_path: Path) -> None:
    touch(tmp_path / "one.tgz")
    touch(tmp_path / "deep" / "down" / "two.tar.gz")
    touch(tmp_path / "three.tar")
    touch(tmp_path / "notes.txt")
    touch(tmp_path / "unpacked" / "manifest.json", b"{}")
    touch(tmp_path / "unpacked" / "hosts" / "inner.tgz")  # inside a bundle: part of it
    touch(tmp_path / "handmade" / "openstack" / "servers.json", b"[]")
    jobs = find_bundles([tmp_path])
    # depth first in name order: deep/down/two.tar.gz comes first
    assert [(j.key, Path(j.path).name) for j in jobs] == [
        ("two", "two.tar.gz"),
        ("handmade", "handmade"),
        ("one", "one.tgz"),
        ("three", "three.tar"),
        ("unpacked", "unpacked"),
    ]


def test_links_are_not_followed(tmp_path: Path) -> None:
    outside = touch(tmp_path / "outside" / "secret.tgz")
    root = tmp_path / "root"
    touch(root / "real.tgz")
    os.symlink(outside, root / "link.tgz")
    os.symlink(outside.parent, root / "linked-dir")
    assert [j.key for j in find_bundles([root])] == ["real"]


def test_keys_are_safe_and_unique(tmp_path: Path) -> None:
    touch(tmp_path / "a" / "x.tgz")
    touch(tmp_path / "b" / "x.tgz")
    touch(tmp_path / "c" / "X.tar")
    touch(tmp_path / "d" / "x-2.tgz")
    touch(tmp_path / "e" / "we=ird name;$(x).tgz")
    keys = [j.key for j in find_bundles([tmp_path])]
    assert len(set(k.lower() for k in keys)) == len(keys) == 5
    assert all(k and "/" not in k and "=" not in k and " " not in k for k in keys)
    assert partition_key("/x/...tgz") == "bundle"
    assert partition_key("/x/../..tgz") == "bundle"


def test_an_archive_given_directly_is_one_bundle(tmp_path: Path) -> None:
    bundle = touch(tmp_path / "b.tgz")
    assert [(j.key, j.path) for j in find_bundles([bundle, bundle])] == [("b", str(bundle))]


@pytest.mark.parametrize("name", ["missing", "file.txt"])
def test_a_location_that_is_not_a_folder_or_bundle_is_a_usage_error(
    tmp_path: Path, name: str
) -> None:
    touch(tmp_path / "file.txt")
    with pytest.raises(UsageError, match=name):
        find_bundles([tmp_path / name])
