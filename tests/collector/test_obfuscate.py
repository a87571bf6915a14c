"""--obfuscate: stable pseudonyms for hosts and addresses, the mapping kept outside the bundle."""

from __future__ import annotations

import json
import re
from pathlib import Path

from collectors.pcd_collect import Obfuscator
from tests.collector.fakes import HYPERVISORS, bundle_path_from, make_fake_tools, manifest, members

REAL_NAMES = [*HYPERVISORS, "mgmt-node-1"]
REAL_ADDRESSES = ["10.0.0.21", "10.0.0.5", "10.20.0.11", "10.244.1.5", "10.244.1.9"]


def _run(tmp_path: Path, *args: str) -> tuple[Path, Path]:
    fakes = make_fake_tools(tmp_path, "messaging")
    result = fakes.run("-q", "--obfuscate", *args)
    assert result.returncode == 0, result.stderr
    return bundle_path_from(result), fakes.out_dir


def test_hosts_and_addresses_are_replaced_everywhere(tmp_path: Path) -> None:
    bundle, out_dir = _run(tmp_path)
    files = members(bundle)
    mapping_file = out_dir / "pcd-collect-obfuscation-map.json"
    assert mapping_file.exists()
    assert mapping_file.stat().st_mode & 0o077 == 0
    assert not any("obfuscation-map" in name for name in files)
    mapping = json.loads(mapping_file.read_text())
    for path, data in files.items():
        for name in REAL_NAMES:
            assert not re.search(
                rb"(?<![A-Za-z0-9.])" + name.encode() + rb"(?![A-Za-z0-9])", data
            ), f"{name} in {path}"
        for address in REAL_ADDRESSES:
            assert address.encode() not in data, f"{address} in {path}"
    # the same host has the same pseudonym in every file
    hv1 = mapping["hosts"]["hv-01"]
    services = json.loads(files["openstack/compute-services.json"])
    servers = json.loads(files["openstack/servers.json"])
    assert hv1 in {s["Host"] for s in services}
    assert hv1 in {s["Host"] for s in servers}
    # subnets stay recognisable: two pod IPs of one /24 share a pseudonymous /24
    net = mapping["ipv4_networks"]["10.244.1"]
    describe = files["kubernetes/describe/rabbitmq-0.txt"].decode()
    assert f"IP:               {net}.5" in describe
    assert mapping["ipv4_networks"]["10.0.0"] != net
    # what diagnosis needs stays: cluster-internal service names, pod names
    assert (
        b"broker.pcd.svc.cluster.local:5672"
        in files[next(p for p in files if p.endswith("ostackhost.log"))]
    )
    assert "kubernetes/describe/rabbitmq-0.txt" in files
    # this machine's own name is a pseudonym too
    doc = manifest(bundle)
    assert doc["host"]["name"].startswith("host-")
    assert any(p.startswith(f"hosts/{doc['host']['name']}/") for p in files)
    assert doc["obfuscation"]["enabled"] is True
    assert doc["obfuscation"]["mapping_file"] == mapping_file.name


def test_pseudonyms_are_stable_across_runs_with_the_same_mapping(tmp_path: Path) -> None:
    mapping = tmp_path / "keep" / "map.json"
    mapping.parent.mkdir()
    first, _ = _run(tmp_path / "a", "--obfuscation-map", str(mapping))
    names_first = json.loads(mapping.read_text())["hosts"]
    second, _ = _run(tmp_path / "b", "--obfuscation-map", str(mapping))
    assert json.loads(mapping.read_text())["hosts"] == names_first
    assert members(first)["openstack/servers.json"] == members(second)["openstack/servers.json"]


def test_obfuscator_unit() -> None:
    obf = Obfuscator()
    obf.learn("hv-04.example.com")
    obf.learn("nova")  # a service word, never a host
    obf.learn("6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13")  # a host UUID is not a name
    text = (
        b"hv-04 and hv-04.example.com at 10.1.2.3 and 10.1.2.77; nova-compute on hv-04; "
        b"fe80::1ff:fe23:4567:890a; =INFO REPORT==== 2-Mar-2026::09:10:44 ===; 127.0.0.1; "
        b"app.kubernetes.io/name; acme.app.pcd.platform9.com"
    )
    out = obf.apply(text).decode()
    assert out.count("host-001") == 3
    assert "host-001.domain-01.invalid" in out
    assert "198.18.0.3 and 198.18.0.77" in out
    assert "nova-compute" in out
    assert "fe80" not in out
    assert "2-Mar-2026::09:10:44" in out
    assert "127.0.0.1" in out
    assert "app.kubernetes.io/name" in out
    assert "acme" not in out
    assert obf.apply(text).decode() == out  # stable
    assert obf.leaks(out.encode()) == []
    assert obf.leaks(b"seen on hv-04") == ["hostname"]
