"""detect-secrets finds nothing in the bundles the fixture generator ships, nor in the lab's.

The generator writes realistic bundles (``fixtures/bundles``) and the lab records real
RabbitMQ and oslo.messaging runs (``fixtures/lab``); a customer's bundle looks like them, so a
secret-shaped value in them would be one in the analyzer's own examples. Random-looking ids
they hold legitimately are the documented ``analyzer.secret_check.KNOWN_IDS``, left out span
by span (``tests/collector/detect.py``); a finding names the member and the line. The
collector's own scanner, which ``analyze redact`` runs on what it writes, must be quiet on
them too, or re-redacting a clean bundle would end in status 3.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from analyzer.secret_check import check_members
from tests.collector.detect import detected_secrets

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = sorted((ROOT / "fixtures" / "bundles").glob("*.tgz")) + sorted(
    (ROOT / "fixtures" / "lab").glob("*.tgz")
)


def test_there_are_bundles_to_scan() -> None:
    assert len(BUNDLES) >= 15


@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_secret_in_a_fixture_bundle(bundle: Path) -> None:
    assert detected_secrets(bundle) == []


@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_self_scan_is_quiet_on_a_fixture_bundle(bundle: Path) -> None:
    members: dict[str, bytes] = {}
    with tarfile.open(bundle, "r:gz") as tar:
        for info in tar:
            fh = tar.extractfile(info) if info.isfile() else None
            if fh is not None:
                members[info.name.split("/", 1)[-1]] = fh.read()
    assert [str(f) for f in check_members(members, detect_secrets=False)] == []


def test_the_checks_drop_only_the_slow_false_positive_filter() -> None:
    from detect_secrets.settings import default_settings, get_settings

    from analyzer.secret_check import SLOW_FILTER, detect_secrets_settings

    with default_settings():
        default = set(get_settings().filters)
        plugins = set(get_settings().plugins)
    with detect_secrets_settings():
        assert set(get_settings().filters) == default - {SLOW_FILTER}
        assert set(get_settings().plugins) == plugins
    assert SLOW_FILTER in default
