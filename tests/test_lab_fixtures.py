"""The bundles recorded by the failure lab (``fixtures/lab``), through the analyzer.

Each was taken from a real RabbitMQ and real oslo.messaging programs while one failure was
on (or after it cleared); ``fixtures/lab/expected.json`` says what each must get. Checks
the analyzer fails on real software today are ``KNOWN_GAPS`` (strict xfail). The lab
itself, which makes these bundles anew, is ``tests/lab`` (see ``docs/lab.md``).
"""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.lab.cases import bundles as lab_bundles
from tests.lab.cases import collected_keys
from tests.lab.expectations import BROKER_FILE, CLIENT_FILE, analysis_of, check, check_params

LAB = Path(__file__).resolve().parent.parent / "fixtures" / "lab"
EXPECTED: dict[str, Any] = json.loads((LAB / "expected.json").read_text())
BUNDLES: dict[str, dict[str, Any]] = EXPECTED["bundles"]
LOG_TIME = re.compile(rb"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", re.MULTILINE)


@cache
def doc_of(name: str) -> dict[str, Any]:
    return analysis_of(LAB / f"{name}.tgz")


def test_every_lab_bundle_is_recorded() -> None:
    assert {name for name, _ in lab_bundles()} == set(BUNDLES)
    assert {p.name.removesuffix(".tgz") for p in LAB.glob("*.tgz")} == set(BUNDLES)
    for name, expect in lab_bundles():
        assert BUNDLES[name] == expect.to_dict(), name


@pytest.mark.parametrize(("name", "which"), check_params(BUNDLES))
def test_lab_bundle(name: str, which: str) -> None:
    check(doc_of(name), BUNDLES[name], which)


def _members(name: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(LAB / f"{name}.tgz") as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member)
            if data is not None:
                out[member.name.split("/", 1)[1]] = data.read()
    return out


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_lab_bundle_is_as_the_run_wrote_it(name: str) -> None:
    """Host, times and paths are the lab run's: log lines end before collection, the
    manifest's hashes match, the host is the one the run recorded."""
    files = _members(name)
    manifest = json.loads(files["manifest.json"])
    host = EXPECTED["lab"]["host"]
    assert manifest["collector"]["name"] == "pcd-lab"
    assert manifest["host"]["name"] == host
    for item in manifest["items"]:
        assert hashlib.sha256(files[item["path"]]).hexdigest() == item["sha256"], item["path"]
    client = files[f"hosts/{host}/{CLIENT_FILE}"]
    broker = files[f"hosts/{host}/{BROKER_FILE}"]
    collected = manifest["collected_at"].replace("T", " ").removesuffix("Z")
    since = manifest["since"].replace("T", " ").removesuffix("Z")
    for log in (client, broker):
        stamps = [m.decode() for m in LOG_TIME.findall(log)]
        assert stamps, name
        # the lab machine's clock is UTC+offset; compare in UTC only when the offset is 0
        if manifest["host"]["utc_offset_s"] == 0:
            assert since <= stamps[0] <= stamps[-1] <= collected, (name, stamps[0], stamps[-1])
    case, key = collected_keys()[name]
    assert EXPECTED["lab"]["timelines"][case][key][:19].replace("T", " ") == collected


def test_lab_versions_are_recorded() -> None:
    versions = EXPECTED["lab"]["versions"]
    assert versions["oslo.messaging"]
    assert versions["rabbitmq-server (deb)"]
