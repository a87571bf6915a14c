"""``analyze redact``: a bundle's planted secrets are gone, the diagnosis is not."""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.cli import build_redact_app
from fixtures.generate import build
from tests.collector.detect import detected_secrets

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
    """Run ``analyze redact``; every archive it writes is checked by detect-secrets too."""
    result = CliRunner().invoke(build_redact_app(), [str(a) for a in args])
    written = re.search(r"^Redacted bundle: (.+) \(\d+ file\(s\)\)$", result.stderr, re.M)
    if written is not None and result.exit_code == 0:
        out = Path(written.group(1))
        assert detected_secrets(out) == [], out.name
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


def _handmade(folder: Path) -> Path:
    """One password in three shapes (three rules), another in a fourth; hosts and addresses."""
    (folder / "etc").mkdir(parents=True)
    (folder / "hosts" / "hv-01").mkdir(parents=True)
    (folder / "openstack").mkdir()
    (folder / "etc" / "nova.conf").write_text(
        "[DEFAULT]\ntransport_url = rabbit://openstack:Sh4red-Secret9@10.0.0.5:5672/\n"
        "[database]\nconnection = mysql+pymysql://nova:Db0nly-Pw77@db.example.com/nova\n"
    )
    (folder / "etc" / "rabbitmq.conf").write_text("default_pass = Sh4red-Secret9\n")
    (folder / "hosts" / "hv-01" / "ostackhost.log").write_text(
        "2026-03-01 10:00:00.000 1 INFO nova.compute.manager [-] on hv-01: "
        "rabbitmqctl change_password openstack Sh4red-Secret9\n"
    )
    (folder / "openstack" / "compute-services.json").write_text(
        json.dumps([{"Binary": "nova-compute", "Host": "hv-01", "State": "up"}])
    )
    return folder


def test_obfuscate_gives_one_value_one_mask_across_rules(tmp_path: Path) -> None:
    folder = _handmade(tmp_path / "handmade")
    out = tmp_path / "out" / "shared.tgz"
    out.parent.mkdir()
    code, err = redact(folder, "--out", out, "--obfuscate")
    assert code == 0, err
    written = {i.name.split("/", 1)[1]: d.decode() for i, d in members(out)}
    assert sorted(written) == [
        "etc/nova.conf",
        "etc/rabbitmq.conf",
        "hosts/host-002/ostackhost.log",  # the hypervisor's folder too
        "openstack/compute-services.json",
    ]
    text = "".join(written.values())
    for real in ("Sh4red-Secret9", "Db0nly-Pw77", "hv-01", "10.0.0.5", "db.example.com"):
        assert real not in text
        assert real not in err
    shared = re.findall(r"openstack:(\[REDACTED-\d+\])@", written["etc/nova.conf"])
    assert len(shared) == 1
    assert f"default_pass = {shared[0]}" in written["etc/rabbitmq.conf"]  # config_kv
    assert f"change_password openstack {shared[0]}" in written["hosts/host-002/ostackhost.log"]
    other = re.findall(r"nova:(\[REDACTED-\d+\])@", written["etc/nova.conf"])
    assert other  # another password, another mask
    assert other != shared
    assert "198.18.0.5:5672" in written["etc/nova.conf"]
    assert '"Host": "host-002"' in written["openstack/compute-services.json"]
    mapping = out.parent / "pcd-collect-obfuscation-map.json"
    assert json.loads(mapping.read_text())["hosts"]["hv-01"] == "host-002"
    assert "Sh4red-Secret9" not in mapping.read_text()  # pseudonyms only, never a secret
    assert "Obfuscated: " in err


def test_without_obfuscate_every_mask_is_the_same(tmp_path: Path) -> None:
    folder = _handmade(tmp_path / "handmade")
    out = tmp_path / "plain.tgz"
    code, err = redact(folder, "--out", out)
    assert code == 0, err
    text = "".join(d.decode() for _, d in members(out))
    assert "[REDACTED-" not in text
    assert text.count("[REDACTED]") == 4
    assert "hv-01" in text  # hosts are obfuscated only when asked
    assert not (tmp_path / "pcd-collect-obfuscation-map.json").exists()


def test_the_collector_mapping_is_used_as_it_is(tmp_path: Path) -> None:
    folder = _handmade(tmp_path / "handmade")
    mapping = tmp_path / "keep" / "map.json"
    mapping.parent.mkdir()
    mapping.write_text(json.dumps({"hosts": {"hv-01": "host-007"}, "known_names": ["hv-01"]}))
    out = tmp_path / "mapped.tgz"
    code, err = redact(folder, "--out", out, "--obfuscation-map", mapping)
    assert code == 0, err
    names = [i.name for i, _ in members(out)]
    assert "mapped/hosts/host-007/ostackhost.log" in names
    assert json.loads(mapping.read_text())["hosts"]["hv-01"] == "host-007"


def test_a_linked_mapping_is_refused(tmp_path: Path) -> None:
    folder = _handmade(tmp_path / "handmade")
    (tmp_path / "elsewhere").write_text("{}")
    (tmp_path / "map.json").symlink_to(tmp_path / "elsewhere")
    code, err = redact(folder, "--out", tmp_path / "o.tgz", "--obfuscation-map",
                       tmp_path / "map.json")  # fmt: skip
    assert code == 2
    assert (
        err == f"Error: --obfuscation-map {tmp_path / 'map.json'}: a symbolic link; not followed\n"
    )


# A token no redaction rule knows (no keyword before it, no known format): only the check of
# the written archive can see it. Synthetic value.
UNKNOWN_SHAPE = "2026-03-01 10:00:00 INFO handshake with Zx8Kq2Lm9Vb4Nw7Rt5Yp3Hs6Jd1Fg0Ac\n"


def test_what_the_check_flags_is_listed_with_status_3(tmp_path: Path) -> None:
    folder = tmp_path / "leaky"
    (folder / "hosts" / "hv-01").mkdir(parents=True)
    (folder / "hosts" / "hv-01" / "hostagent.log").write_text("start\n" + UNKNOWN_SHAPE)
    out = tmp_path / "leaky.tgz"
    result = CliRunner().invoke(build_redact_app(), [str(folder), "--out", str(out)])
    assert result.exit_code == 3, result.stderr
    assert "Problem: the check of leaky.tgz flags" in result.stderr
    assert "  hosts/hv-01/hostagent.log:2: self-scan high_entropy\n" in result.stderr
    assert "Zx8Kq2Lm9Vb4Nw7Rt5Yp3Hs6Jd1Fg0Ac" not in result.stderr
    assert out.exists()  # written, for the lines to be looked at


def test_a_request_id_in_the_same_place_is_not_flagged(tmp_path: Path) -> None:
    folder = tmp_path / "clean"
    (folder / "hosts" / "hv-01").mkdir(parents=True)
    (folder / "hosts" / "hv-01" / "hostagent.log").write_text(
        "start\n"
        + UNKNOWN_SHAPE.replace(
            "Zx8Kq2Lm9Vb4Nw7Rt5Yp3Hs6Jd1Fg0Ac", "req-6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13"
        )
    )
    code, err = redact(folder, "--out", tmp_path / "clean.tgz")
    assert code == 0, err
    assert "Checked: no line of it looks like a secret" in err


def test_a_hypervisor_folder_inside_a_nested_bundle_is_learnt(tmp_path: Path) -> None:
    folder = tmp_path / "admin"
    logs = folder / "pcd-bundle-hv-03" / "hosts" / "hv-03"
    logs.mkdir(parents=True)
    (logs / "hostagent.log").write_text("2026-03-01 10:00:00 INFO hostagent on hv-03 started\n")
    out = tmp_path / "nested.tgz"
    code, err = redact(folder, "--out", out, "--obfuscate")
    assert code == 0, err
    written = {i.name: d for i, d in members(out)}
    assert list(written) == ["nested/pcd-bundle-host-001/hosts/host-001/hostagent.log"]
    assert b"on host-001 started" in next(iter(written.values()))
