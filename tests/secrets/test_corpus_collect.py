"""The collector, fed every shape of the corpus by its stand-in tools, writes none of them.

The corpus goes into a pod's ``describe`` output and its time-stamped logs (kubectl), the
stderr of a failing pcdctl command and a hypervisor log in /var/log/pf9. The run must succeed
(the independent self-scan finds nothing left) and no planted value may be anywhere in the
tarball, in member names or in what the collector prints. detect-secrets checks the bundle as
well (conftest.py).
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.collector.fakes import bundle_path_from, make_fake_tools, members
from tests.secrets.corpus import FAMILIES, all_planted, lines, log_lines

CONDUCTOR = "nova-conductor-6d9f7c8b5-x2x7q"
API = "nova-api-osapi-5c6d7e8f9-q4r5s"


def _kts(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


def _plant(fakes_bin: Path, pf9: Path) -> None:
    whole = "".join("\n".join(lines(f)) + "\n" for f in FAMILIES)
    stamp = _kts(datetime.now(UTC) - timedelta(minutes=2))
    logged = "".join(f"{stamp} {line}\n" for f in FAMILIES for line in log_lines(f))

    kubectl = fakes_bin / "kubectl.spec.json"
    rules = json.loads(kubectl.read_text())
    for rule in rules:
        if rule["match"] == ["describe", "pod", CONDUCTOR]:
            rule["stdout"] += whole
        if rule["match"] == ["logs", API]:
            rule["stdout"] += logged
    kubectl.write_text(json.dumps(rules))

    pcdctl = fakes_bin / "pcdctl.spec.json"
    rules = json.loads(pcdctl.read_text())
    rules.insert(0, {"match": ["server", "list", "ERROR"], "exit": 1, "stderr": whole})
    pcdctl.write_text(json.dumps(rules))

    with (pf9 / "ostackhost.log").open("a") as fh:
        fh.write(whole)


@pytest.mark.parametrize("extra", [(), ("--obfuscate",)], ids=["plain", "obfuscate"])
def test_no_planted_value_reaches_the_tarball(tmp_path: Path, extra: tuple[str, ...]) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    _plant(fakes.bin_dir, fakes.pf9_dir)
    result = fakes.run(*extra)
    assert result.returncode == 0, result.stderr
    bundle = bundle_path_from(result)
    files = members(bundle)
    raw = gzip.decompress(bundle.read_bytes())
    # the corpus did reach the bundle, masked
    assert b"[REDACTED" in files["commands/openstack_servers-error.stderr"]  # -N: --obfuscate
    leaked = [v for v in all_planted() if v.encode() in raw]
    assert leaked == []
    for value in all_planted():
        assert value not in result.stdout
        assert value not in result.stderr
    counts = json.loads(files["manifest.json"])["redaction"]["rules"]
    for rule in ("cli_flag", "argv_lines", "keyword_value", "table_row", "erlang_term",
                 "aws_access_key", "ceph_key", "mysql_password", "curl_user"):  # fmt: skip
        assert counts[rule] > 0, rule
