"""Links, FIFOs and hostile paths: the collector reads only regular files and writes only new ones.

It usually runs as root on a hypervisor, where ``/var/log/pf9`` and the output directory may
be writable by less trusted users. A link planted where it reads (``x.log -> /etc/shadow``) or
where it writes (``<map>.tmp -> /etc/passwd``) must never be followed, and a FIFO must never
block it.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from collectors import pcd_collect
from tests.collector.fakes import (
    HOST,
    FakeTools,
    bundle_path_from,
    item,
    make_fake_tools,
    manifest,
    members,
)

SHADOW = b"root:$6$SHADOW-LINE-MUST-NOT-LEAK:19000:0:99999:7:::\n"
PRECIOUS = "precious: must not be touched\n"


def _hypervisor(tmp_path: Path) -> FakeTools:
    return make_fake_tools(tmp_path, "messaging", kubectl="missing", pcdctl=False)


def _run(fakes: FakeTools, *args: str) -> tuple[int, str, str]:
    result = fakes.run("-q", "--no-openstack", "--no-kubernetes", *args, timeout=60)
    return result.returncode, result.stdout, result.stderr


def _all_bytes(bundle: Path) -> bytes:
    return b"".join(members(bundle).values())


# --------------------------------------------------------------------------------------------
# reading: hypervisor logs and the host id
# --------------------------------------------------------------------------------------------


def test_log_links_are_not_followed(tmp_path: Path) -> None:
    fakes = _hypervisor(tmp_path)
    shadow = tmp_path / "shadow"
    shadow.write_bytes(SHADOW)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.log").write_bytes(SHADOW)
    (fakes.pf9_dir / "shadow-link.log").symlink_to(shadow)  # a family of its own
    (fakes.pf9_dir / "hostagent.log.1").symlink_to(shadow)  # a rotation of a real log
    (fakes.pf9_dir / "linked-dir").symlink_to(elsewhere, target_is_directory=True)
    status, out, err = _run(fakes)
    assert status == 0, err
    bundle = Path(out.strip().splitlines()[-1])
    assert b"SHADOW-LINE" not in _all_bytes(bundle)
    doc = manifest(bundle)
    entry = item(doc, f"hosts/{HOST}/shadow-link.log")
    assert "a symbolic link; not followed" in entry["error"]
    assert entry["bytes"] is None
    assert "a symbolic link; not followed" in item(doc, f"hosts/{HOST}/hostagent.log")["error"]
    assert b"heartbeat ok" in members(bundle)[f"hosts/{HOST}/hostagent.log"]  # the real one
    assert not any("other.log" in i["path"] for i in doc["items"])


def test_cut_log_family_refuses_a_link_at_open_time(tmp_path: Path) -> None:
    """The refusal is in the open itself (O_NOFOLLOW), not in a check before it."""
    shadow = tmp_path / "shadow"
    shadow.write_bytes(b"2026-03-02 08:00:00.000 1 INFO x " + SHADOW)
    link = tmp_path / "ostackhost.log"
    link.symlink_to(shadow)
    cut = pcd_collect.cut_log_family([str(link)], 0.0, 1 << 20, lambda: None)
    assert cut.data == b""
    assert cut.sources == []
    assert cut.errors == [f"{link}: a symbolic link; not followed"]


def test_fifos_never_block_a_run(tmp_path: Path) -> None:
    fakes = _hypervisor(tmp_path)
    pods = fakes.pf9_dir / "pods"
    pods.mkdir()
    os.mkfifo(pods / "nova-compute-pod.log")  # a pod log that is a FIFO, one level down
    (fakes.pf9_dir / "ostackhost.log.1").unlink()
    os.mkfifo(fakes.pf9_dir / "ostackhost.log.1")  # a FIFO posing as a rotation
    host_id = tmp_path / "host_id.fifo"
    os.mkfifo(host_id)
    status, out, err = _run(fakes, "--host-id-file", str(host_id), "--since", "48h")
    assert status == 0, err
    bundle = Path(out.strip().splitlines()[-1])
    doc = manifest(bundle)
    assert "not a regular file" in item(doc, f"hosts/{HOST}/nova-compute-pod.log")["error"]
    assert "not a regular file" in item(doc, f"hosts/{HOST}/ostackhost.log")["error"]
    assert b"CURRENT-FILE-LAST-MARKER" in members(bundle)[f"hosts/{HOST}/ostackhost.log"]
    assert doc["host"]["host_id"] is None


def test_open_regular_refuses_links_fifos_and_directories(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_text("x")
    (tmp_path / "link").symlink_to(target)
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(OSError, match="a symbolic link; not followed"):
        pcd_collect.open_regular(str(tmp_path / "link"))
    with pcd_collect.open_regular(str(tmp_path / "link"), follow=True) as fh:
        assert fh.read() == b"x"
    for odd in ("fifo", "."):
        with pytest.raises(OSError, match="not a regular file"):
            pcd_collect.open_regular(str(tmp_path / odd))


# --------------------------------------------------------------------------------------------
# writing: the obfuscation map, the partial bundle, the bundle's own name
# --------------------------------------------------------------------------------------------


def test_save_mapping_never_writes_through_a_planted_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text(PRECIOUS)
    map_path = tmp_path / "map.json"
    Path(f"{map_path}.tmp").symlink_to(victim)
    with pytest.raises(pcd_collect.UsageError, match="not followed or overwritten"):
        pcd_collect.save_mapping(str(map_path), pcd_collect.Obfuscator())
    assert victim.read_text() == PRECIOUS
    assert Path(f"{map_path}.tmp").is_symlink()
    assert not map_path.exists()
    # a dangling link would have created its target
    dangling = tmp_path / "created-elsewhere"
    Path(f"{map_path}.tmp").unlink()
    Path(f"{map_path}.tmp").symlink_to(dangling)
    with pytest.raises(pcd_collect.UsageError):
        pcd_collect.save_mapping(str(map_path), pcd_collect.Obfuscator())
    assert not dangling.exists()
    # with nothing planted it writes the mapping, private to its owner, and no .tmp is left
    Path(f"{map_path}.tmp").unlink()
    pcd_collect.save_mapping(str(map_path), pcd_collect.Obfuscator())
    assert map_path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.json", "victim"]


def test_save_mapping_replaces_a_link_at_the_mapping_name(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text(PRECIOUS)
    map_path = tmp_path / "map.json"
    map_path.symlink_to(victim)
    pcd_collect.save_mapping(str(map_path), pcd_collect.Obfuscator())
    assert victim.read_text() == PRECIOUS
    assert not map_path.is_symlink()


@pytest.mark.parametrize("planted", ["map", "tmp", "fifo"])
def test_a_planted_mapping_file_is_refused_before_anything_runs(
    tmp_path: Path, planted: str
) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    victim = tmp_path / "victim"
    victim.write_text(PRECIOUS)
    fakes.out_dir.mkdir()
    map_path = fakes.out_dir / "pcd-collect-obfuscation-map.json"
    if planted == "map":
        map_path.symlink_to(victim)
    elif planted == "tmp":
        Path(f"{map_path}.tmp").symlink_to(victim)
    else:
        os.mkfifo(map_path)
    result = fakes.run("-q", "--obfuscate", timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: --obfuscation-map")
    assert len(result.stderr.strip().splitlines()) == 1
    assert fakes.calls() == []
    assert victim.read_text() == PRECIOUS
    assert not list(fakes.out_dir.glob("*.tgz*"))


def test_a_planted_partial_bundle_link_is_not_followed(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "healthy", kubectl="missing")
    victim = tmp_path / "victim"
    victim.write_text(PRECIOUS)
    fakes.out_dir.mkdir()
    target = fakes.out_dir / "case.tgz"
    Path(f"{target}.partial").symlink_to(victim)
    result = fakes.run("-q", "--output", str(target))
    assert result.returncode == 2
    assert result.stderr.startswith("Error: cannot write to")
    assert victim.read_text() == PRECIOUS
    assert not target.exists()
    assert fakes.calls() == []


@pytest.mark.parametrize("name", ["..tgz", "...tgz", "-rf .tgz", "a b;$(x).tgz", ".tgz"])
def test_a_hostile_output_name_cannot_move_members_out_of_the_bundle(
    tmp_path: Path, name: str
) -> None:
    fakes = make_fake_tools(tmp_path, "healthy", kubectl="missing")
    fakes.out_dir.mkdir()
    result = fakes.run("-q", "--output", str(fakes.out_dir / name))
    assert result.returncode == 0, result.stderr
    bundle = bundle_path_from(result)
    assert bundle == fakes.out_dir / name
    with tarfile.open(bundle, "r:gz") as tar:
        names = tar.getnames()
    roots = {n.split("/", 1)[0] for n in names}
    assert len(roots) == 1
    root = roots.pop()
    assert root not in ("", ".", "..")
    assert not root.startswith("-")
    assert all(n.startswith(root + "/") and "/../" not in f"/{n}/" for n in names)
    assert sorted(p.name for p in fakes.out_dir.iterdir()) == [name]
