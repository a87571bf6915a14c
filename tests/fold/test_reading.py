"""Large logs folded while they are read: archives, .gz rotations, directories, limits."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from analyzer.analysis import searched_patterns
from analyzer.bundle import Limits, read_bundle
from analyzer.jobs import fold_policy
from analyzer.line_match import Searched
from tests.fold.test_folder import KEPT, TEXT
from tests.test_bundle import make_tgz

LOG = b"\n".join([TEXT] * 50) + b"\n"
NOT_A_LOG = b'[{"ID": "x"}]\n' * 50


def _files(bundle_path: Path, **kwargs: object) -> dict[str, tuple[bytes, bool]]:
    bundle = read_bundle(bundle_path, fold=fold_policy(Searched(searched_patterns())), **kwargs)  # type: ignore[arg-type]
    return {f.path: (f.data, f.folded is not None) for f in bundle.files}


def test_an_archived_log_over_the_threshold_is_folded(tmp_path: Path) -> None:
    tgz = make_tgz(
        tmp_path / "b.tgz",
        {"hosts/hv-01/ostackhost.log": LOG, "openstack/servers.json": NOT_A_LOG},
    )
    files = _files(tgz, fold_from=1000)
    data, folded = files["hosts/hv-01/ostackhost.log"]
    assert folded
    assert len(data.splitlines()) == len(KEPT) * 50
    assert files["openstack/servers.json"] == (NOT_A_LOG, False)  # not a log: read whole


def test_below_the_threshold_a_log_is_read_whole(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "b.tgz", {"hosts/hv-01/ostackhost.log": LOG})
    assert _files(tgz) == {"hosts/hv-01/ostackhost.log": (LOG, False)}


def test_a_gz_rotation_is_folded_as_it_is_inflated(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "b.tgz", {"hosts/hv-01/ostackhost.log.1.gz": gzip.compress(LOG)})
    files = _files(tgz, fold_from=1000)
    assert list(files) == ["hosts/hv-01/ostackhost.log.1"]
    assert files["hosts/hv-01/ostackhost.log.1"][1]


def test_a_directory_bundle_is_folded_too(tmp_path: Path) -> None:
    log = tmp_path / "d" / "hosts" / "hv-01" / "ostackhost.log"
    log.parent.mkdir(parents=True)
    log.write_bytes(LOG)
    files = _files(tmp_path / "d", fold_from=1000)
    assert files["hosts/hv-01/ostackhost.log"][1]


def test_a_gz_bomb_is_still_refused_when_folding(tmp_path: Path) -> None:
    bomb = gzip.compress(b"2026-03-02 09:00:00.000 1 DEBUG x y\n" * 400_000)
    tgz = make_tgz(tmp_path / "b.tgz", {"hosts/hv-01/ostackhost.log.1.gz": bomb})
    bundle = read_bundle(
        tgz, Limits(max_ratio=20), fold=fold_policy(Searched(searched_patterns())), fold_from=0
    )
    assert bundle.files == []
    assert "ratio" in bundle.problems[0].problem


def test_the_size_budget_counts_folded_bytes(tmp_path: Path) -> None:
    tgz = make_tgz(tmp_path / "b.tgz", {"hosts/hv-01/ostackhost.log.1.gz": gzip.compress(LOG)})
    from analyzer.errors import BundleError

    with pytest.raises(BundleError, match="size limit"):
        read_bundle(
            tgz,
            Limits(max_total_bytes=len(LOG) // 2),
            fold=fold_policy(Searched(searched_patterns())),
            fold_from=0,
        )


def test_the_timeline_command_says_what_it_folded_and_lists_it_on_request(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from analyzer.cli import build_timeline_app

    big = b"\n".join([TEXT] * 2000) + b"\n"  # over the 512 KiB threshold
    tgz = make_tgz(tmp_path / "b.tgz", {"hosts/hv-01/ostackhost.log": big})

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(build_timeline_app(), [str(tgz), "--format", "csv", *args])
        return result.exit_code, result.stdout, result.stderr

    code, folded_out, note = run()
    assert code == 0
    assert "routine records of large logs are counted, not listed" in note
    code, all_out, all_note = run("--all-records")
    assert code == 0
    assert all_note == ""
    assert len(all_out.splitlines()) > len(folded_out.splitlines())
    assert "Lock released" in all_out
    assert "Lock released" not in folded_out


def test_a_fault_while_folding_is_that_files_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analyzer.fold import Folder

    def broken(self: Folder, chunk: bytes) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(Folder, "feed", broken)
    tgz = make_tgz(
        tmp_path / "b.tgz",
        {"hosts/hv-01/ostackhost.log": LOG, "openstack/servers.json": NOT_A_LOG},
    )
    bundle = read_bundle(tgz, fold=fold_policy(Searched(searched_patterns())), fold_from=1000)
    assert [f.path for f in bundle.files] == ["openstack/servers.json"]
    assert [(p.file, p.problem) for p in bundle.problems] == [
        ("hosts/hv-01/ostackhost.log", "could not be read folded (ValueError: boom)")
    ]


def test_folded_logs_keep_their_place_while_finished_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folders are finished after the next files are read; a fault at that point still
    costs only its own file, and every other file keeps its place in archive order."""
    from analyzer.fold import Folder

    finish = Folder.finish
    calls: list[Folder] = []

    def broken_on_hv03(self: Folder) -> object:
        calls.append(self)
        folded = finish(self)
        if len(calls) == 3:  # folders finish in archive order: the third is hv-03's
            raise RuntimeError("late fault")
        return folded

    monkeypatch.setattr(Folder, "finish", broken_on_hv03)
    members = {}
    for i in range(1, 6):
        members[f"hosts/hv-0{i}/ostackhost.log"] = LOG
        members[f"hosts/hv-0{i}/clock.json"] = b'{"utc_offset_s": 0}\n'
    bundle = read_bundle(
        make_tgz(tmp_path / "b.tgz", members),
        fold=fold_policy(Searched(searched_patterns())),
        fold_from=1000,
    )
    expected = [p for p in members if p != "hosts/hv-03/ostackhost.log"]
    assert [f.path for f in bundle.files] == expected
    assert all(f.folded is not None for f in bundle.files if f.path.endswith(".log"))
    assert all(f.data for f in bundle.files)
    assert [(p.file, p.problem) for p in bundle.problems] == [
        ("hosts/hv-03/ostackhost.log", "could not be read folded (RuntimeError: late fault)")
    ]


@pytest.mark.parametrize(
    ("head", "ending"),
    [(b"2026-03-02 09:00:00.000 1 DEBUG nova.compute.manager [-] ", b""), (b"raw ", b"\n")],
    ids=["a-debug-record-without-an-end", "a-raw-line"],
)
def test_a_cut_line_is_listed_whether_the_log_is_folded_or_not(
    tmp_path: Path, head: bytes, ending: bytes
) -> None:
    """A 2 MiB line is cut on both paths (to MAX_LINE while folding, to MAX_LINE_CHARS when
    parsed) and listed the same way, even when folding drops it as a routine record."""
    import random

    from analyzer.analysis import analyse
    from analyzer.fold import MAX_LINE, MAX_LINE_CHARS

    rnd = random.Random(7)  # letters no searched pattern matches, compressible under 200:1
    long = head + bytes(rnd.choice(b"qjxz") for _ in range(2 * 1024 * 1024)) + ending
    assert len(long) > MAX_LINE
    log = b"\n".join([TEXT] * 200) + b"\n" + long  # over the 512 KiB threshold
    tgz = make_tgz(tmp_path / "b.tgz", {"hosts/hv-01/ostackhost.log": log})
    expected = [
        (
            "hosts/hv-01/ostackhost.log",
            f"1 line(s) longer than {MAX_LINE_CHARS} characters",
            "the text beyond that length",
        )
    ]
    if not ending:  # and, on both paths, that the log may be cut short
        from analyzer.ingest import CUT_LOG

        expected.append(
            ("hosts/hv-01/ostackhost.log", CUT_LOG, "nothing (the line is read as it is)")
        )
    for fold in (False, True):
        doc, _frames, _inv = analyse([tgz], fold=fold)
        listed = sorted((p.file, p.problem, p.skipped) for p in doc.problems)
        assert listed == sorted(expected), fold
    folded = read_bundle(tgz, fold=fold_policy(Searched(searched_patterns()))).files[0]
    assert folded.folded is not None
    assert max(map(len, folded.data.splitlines())) < MAX_LINE_CHARS  # folded away


def test_the_folder_counts_characters_not_bytes() -> None:
    from analyzer.fold import MAX_LINE_CHARS
    from tests.fold.test_folder import fold

    wide = "é".encode() * (MAX_LINE_CHARS - 10)  # more bytes than the limit, fewer characters
    over = b"y" * (MAX_LINE_CHARS + 1)
    data = TEXT + b"\n" + wide + b"\n" + over + b"\r\n" + b"z" * MAX_LINE_CHARS + b"\n"
    assert fold(data, 1 << 20).long_lines == 1


def test_prepare_starts_once_a_log_is_to_be_folded_and_not_before(tmp_path: Path) -> None:
    """The scan's patterns are compiled beside the read of the first large log; a bundle
    without one does not pay for them."""
    import threading

    started: list[str] = []
    done = threading.Event()

    def prepare() -> None:
        started.append(threading.current_thread().name)
        done.set()

    small = make_tgz(tmp_path / "small.tgz", {"openstack/servers.json": NOT_A_LOG})
    read_bundle(
        small, fold=fold_policy(Searched(searched_patterns())), fold_from=1000, prepare=prepare
    )
    assert started == []
    large = make_tgz(
        tmp_path / "large.tgz",
        {"hosts/hv-01/ostackhost.log": LOG, "hosts/hv-02/ostackhost.log": LOG},
    )
    bundle = read_bundle(
        large, fold=fold_policy(Searched(searched_patterns())), fold_from=1000, prepare=prepare
    )
    assert done.wait(10)
    assert started == ["prepare"]  # once, on a thread of its own, for two folded logs
    assert all(f.folded is not None for f in bundle.files)
