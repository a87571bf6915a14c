"""Property tests of the archive reader: whatever the bytes, a Bundle or a BundleError.

Arbitrary bytes (plain and behind a gzip header), mutated real archives (a small tar in
the collector layout with a nested bundle, a ``.gz`` rotation, a link and PAX headers,
mutated before and after compression, and the shipped ``healthy.tgz``), and tars built
member by member from hostile names and types. Any other exception, a member path that
leaves the bundle, or a file over the limits fails the test.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.bundle import Bundle, read_bundle
from analyzer.errors import BundleError
from analyzer.limits import Limits
from tests.security.hostile import TOP, file, info, link, pax_record, tar_bytes, tgz, with_pax

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LIMITS = Limits(max_members=200, max_total_bytes=8 * 1024 * 1024, max_ratio=50)
FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _sample_tar() -> bytes:
    nested = tgz([file("hosts/hv-02/ostackhost.log", b"2026-03-02 09:00:00.000 1 INFO x y\n")])
    rotated = gzip.compress(b"2026-03-02 08:00:00.000 1 INFO nova.compute old\n" * 20, mtime=0)
    long_name = info(f"{TOP}/kubernetes/logs/{'p' * 120}/c.log", 3)
    return tar_bytes(
        [
            file(f"{TOP}/manifest.json", b'{"schema": "pcd-bundle/1", "items": []}'),
            file(f"{TOP}/hosts/hv-01/ostackhost.log.1.gz", rotated),
            file(f"{TOP}/hv-02.tgz", nested),
            link(f"{TOP}/passwd", "/etc/passwd", tarfile.SYMTYPE),
            (long_name, b"ab\n"),
        ]
    )


SAMPLE_TAR = _sample_tar()
SAMPLE_TGZ = gzip.compress(SAMPLE_TAR, mtime=0)
HEALTHY = (ROOT / "fixtures" / "bundles" / "healthy.tgz").read_bytes()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-archive")


def read_or_reject(where: Path, data: bytes, suffix: str = ".tgz") -> Bundle | None:
    """Only a Bundle or a BundleError may come out; a Bundle must be safe to use."""
    path = where / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        bundle = read_bundle(path, LIMITS)
    except BundleError as exc:
        rejected = exc
    else:
        return _safe(bundle)
    assert rejected.reason
    assert "\n" not in str(rejected)
    return None


def _safe(bundle: Bundle) -> Bundle:
    total = 0
    for f in bundle.files:
        assert f.path
        assert not f.path.startswith("/")
        assert ".." not in f.path.split("/")
        assert "\x00" not in f.path
        f.path.encode("utf-8")  # writable into the reports
        total += len(f.data)
    assert total <= LIMITS.max_total_bytes
    assert len(bundle.files) <= LIMITS.max_members
    return bundle


def mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    buf = bytearray(data)
    for pos, value in edits:
        buf[pos % len(buf)] = value
    return bytes(buf[:cut] if cut is not None else buf)


EDITS = st.lists(st.tuples(st.integers(0, 2**31), st.integers(0, 255)), min_size=1, max_size=8)
CUTS = st.none() | st.integers(0, 2**31)


def test_the_samples_read_cleanly(scratch: Path) -> None:
    sample = read_or_reject(scratch, SAMPLE_TGZ)
    assert sample is not None
    assert {
        "manifest.json",
        "hosts/hv-01/ostackhost.log.1",
        "hv-02/hosts/hv-02/ostackhost.log",
    } <= {f.path for f in sample.files}
    assert read_or_reject(scratch, HEALTHY) is not None


@FUZZ
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes(scratch: Path, data: bytes) -> None:
    read_or_reject(scratch, data)


@FUZZ
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes_behind_a_gzip_header(scratch: Path, data: bytes) -> None:
    read_or_reject(scratch, gzip.compress(data, mtime=0))


@FUZZ
@given(edits=EDITS, cut=CUTS)
def test_mutated_tar(scratch: Path, edits: list[tuple[int, int]], cut: int | None) -> None:
    mutated = mutate(SAMPLE_TAR, edits, None if cut is None else cut % (len(SAMPLE_TAR) + 1))
    read_or_reject(scratch, mutated, ".tar")
    read_or_reject(scratch, gzip.compress(mutated, mtime=0))


@FUZZ
@given(edits=EDITS, cut=CUTS)
def test_mutated_tgz(scratch: Path, edits: list[tuple[int, int]], cut: int | None) -> None:
    read_or_reject(scratch, mutate(SAMPLE_TGZ, edits, None if cut is None else cut % 4096))


@settings(FUZZ, max_examples=30)
@given(edits=EDITS)
def test_mutated_shipped_bundle(scratch: Path, edits: list[tuple[int, int]]) -> None:
    read_or_reject(scratch, mutate(HEALTHY, edits, None))


ODD_NAMES = ["a", "./a", "a/", "/a", "../a", "a/../b", "a\\..\\b", "C:x", "a\x00b", "", ".", "..",
             "top/x.gz", "top/x.tgz", "top/x.tar", "top/x.tar.gz", "x" * 300, "caf\udce9",
             "\x1b[2J"]  # fmt: skip
NAMES = st.sampled_from(ODD_NAMES) | st.text(min_size=1, max_size=40)
TYPES = st.sampled_from(
    [tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE,
     tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE, tarfile.CONTTYPE, b"Z"]
)  # fmt: skip
MEMBER = st.tuples(NAMES, TYPES, st.binary(max_size=256), st.integers(-(2**40), 2**40))


@FUZZ
@given(members=st.lists(MEMBER, max_size=12), fmt=st.sampled_from([0, 1, 2]))
def test_tars_of_hostile_members(
    scratch: Path, members: list[tuple[str, bytes, bytes, int]], fmt: int
) -> None:
    buf = io.BytesIO()
    fmt_id = (tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT)[fmt]
    try:
        with tarfile.open(fileobj=buf, mode="w", format=fmt_id) as tar:
            for name, kind, data, mtime in members:
                ti = tarfile.TarInfo(name)
                ti.type = kind
                ti.mtime = mtime
                ti.linkname = "/etc/passwd" if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""
                regular = kind in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE, b"Z")
                ti.size = len(data) if regular else 0
                tar.addfile(ti, io.BytesIO(data) if regular else None)
    except (ValueError, UnicodeError, OverflowError):
        return  # the writer refuses it; nothing to read
    read_or_reject(scratch, gzip.compress(buf.getvalue(), mtime=0))


PAX_KEYS = ["path", "linkpath", "size", "mtime", "atime", "uid", "gid", "uname", "gname",
            "hdrcharset", "comment", "GNU.sparse.map", "GNU.sparse.size", "GNU.sparse.offset",
            "GNU.sparse.numbytes", "GNU.sparse.major", "GNU.sparse.minor", "GNU.sparse.name",
            "GNU.sparse.realsize", "SCHILY.xattr.user.x"]  # fmt: skip
PAX_VALUES = st.one_of(
    st.sampled_from(["", "0", "1", "-1", "1e400", "nan", "0,1,2", "1,x", "BINARY", "../x", "/x"]),
    st.text(max_size=30),
    st.integers(-(2**70), 2**70).map(str),
)


@FUZZ
@given(records=st.lists(st.tuples(st.sampled_from(PAX_KEYS), PAX_VALUES), max_size=6))
def test_pax_headers_with_hostile_values(scratch: Path, records: list[tuple[str, str]]) -> None:
    try:
        header = b"".join(pax_record(k, v) for k, v in records)
    except UnicodeError:
        return
    read_or_reject(scratch, with_pax(header))
