"""Hostile inputs that are not archives: unpacked directories, odd paths, limits, Ctrl-C."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer import bundle_reader
from analyzer.bundle import read_bundle
from analyzer.cli import build_app
from analyzer.errors import BundleError
from analyzer.limits import Limits, parse_size
from analyzer.sanitize import displayable
from tests.security.hostile import CASES, SERVERS


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(), list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    d = tmp_path / "bundle"
    (d / "openstack").mkdir(parents=True)
    (d / "openstack" / "servers.json").write_bytes(SERVERS)
    return d


def problems(path: Path) -> dict[str, str]:
    return {p.file: p.problem for p in read_bundle(path).problems}


def test_directory_links_to_files_and_folders_are_listed_not_followed(
    directory: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "secret.log").write_text("secret\n")
    os.symlink(outside, directory / "escape")
    os.symlink(outside / "deep" / "secret.log", directory / "secret.log")
    read = read_bundle(directory)
    assert [f.path for f in read.files] == ["openstack/servers.json"]
    found = problems(directory)
    assert "symbolic link" in found["escape"]
    assert "symbolic link" in found["secret.log"]


def test_a_fifo_in_a_directory_is_listed_and_never_opened(directory: Path) -> None:
    os.mkfifo(directory / "pipe.log")
    done = threading.Event()
    result: dict[str, str] = {}

    def read() -> None:
        result.update(problems(directory))
        done.set()

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(60), "reading a bundle with a FIFO in it blocked"
    assert "FIFO" in result["pipe.log"]


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
def test_a_device_node_in_a_directory_is_listed_and_never_opened(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stat

    os.mknod(directory / "zero", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(
        bundle_reader.os, "open", lambda p, *a: opened.append(str(p)) or real_open(p, *a)
    )
    assert "device file" in problems(directory)["zero"]
    assert not any(p.endswith("zero") for p in opened)


def test_a_directory_counts_against_the_limits(directory: Path) -> None:
    for i in range(5):
        (directory / f"f{i}.log").write_text("x" * 100)
    with pytest.raises(BundleError, match="more than 3 members"):
        read_bundle(directory, Limits(max_members=3))
    with pytest.raises(BundleError, match="size limit"):
        read_bundle(directory, Limits(max_total_bytes=300))


def test_a_fifo_given_as_the_bundle_is_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "bundle.tgz"
    os.mkfifo(fifo)
    code, _out, err = cli(str(fifo))
    assert code == 2
    assert err == f"Error: {fifo}: not a regular file (device, FIFO or socket); not read\n"


def test_a_link_given_as_the_bundle_is_followed_because_the_engineer_named_it(
    tmp_path: Path,
) -> None:
    real = tmp_path / "real.tgz"
    real.write_bytes(CASES["symlink"].build())
    named = tmp_path / "named.tgz"
    os.symlink(real, named)
    assert read_bundle(named).files


@pytest.mark.parametrize(
    ("text", "size"),
    [("4G", 4 * 1024**3), ("500M", 500 * 1024**2), ("1.5GiB", 1536 * 1024**2), ("200000", 200000),
     ("64k", 65536), ("2 TB", 2 * 1024**4)],
)  # fmt: skip
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-bytes", "lots"], "'lots' is not a size"),
        (["--max-bytes", "0"], "'0' is not a positive size"),
        (["--max-bytes", "nan"], "not a positive size"),
        (["--max-members", "0"], "the member limit must be at least 1"),
        (["--max-ratio", "0.5"], "the compression ratio limit must be a number of at least 1"),
        (["--max-ratio", "inf"], "the compression ratio limit"),
    ],
)
def test_bad_limits_are_one_error_line(tmp_path: Path, args: list[str], message: str) -> None:
    bundle = tmp_path / "b.tgz"
    bundle.write_bytes(CASES["symlink"].build())
    code, _out, err = cli(str(bundle), *args)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("Error: invalid limit: ")
    assert message in err


def test_ctrl_c_is_one_line_status_130_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "b.tgz"
    bundle.write_bytes(CASES["symlink"].build())

    def interrupted(*_args: object, **_kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(bundle_reader.BundleReader, "archive", interrupted)
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(str(bundle))
    assert (code, out, err) == (130, "", "Error: interrupted\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.tgz"]


def test_displayable_text() -> None:
    doc = {"a\x1b": ["x\x1b[31my", "tab\tand\nnewline", "lone \ud800", "\x7f\x9b", 5, None]}
    assert displayable(doc) == {
        "a\u241b": ["x\u241b[31my", "tab\tand\nnewline", "lone \ufffd", "\u2421\ufffd", 5, None]
    }
