"""What a lab bundle must get from the analyzer, and where the analyzer is known to fall short.

Shared by the recorded-fixture tests (``tests/test_lab_fixtures.py``) and the live lab
(``tests/lab/test_lab.py``): the same bundle kinds, the same checks. ``KNOWN_GAPS`` lists
every check the analyzer fails on real software today, with what it does and what it
should do; the tests mark those ``xfail(strict=True)``, so fixing the rule turns them into
failures that ask for the entry to be removed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from analyzer.analysis import analyse
from analyzer.document import to_builtins

CLIENT_FILE = "ostackhost.log"
BROKER_FILE = "rabbit@localhost.log"
CHECKS = ("verdict", "client_evidence", "broker_evidence")

_TIMEOUT_AFTER_RECOVERY = (
    "a call made across a blocked spell can time out just after the clients reconnect "
    "('MessagingTimeout: Timed out waiting for a reply to message ID <hex>'); when the "
    "bundle is collected before any later reconnect or completed build on that host, "
    "rpc_timeout is still current: messaging_layer_failure instead of no_failure_found"
)

KNOWN_GAPS: dict[tuple[str, str], str] = {
    # Empty: every check passes on the recorded lab bundles. The gaps the recordings found
    # (broker stop lines, py-amqp's reasonless "blocked" line for memory and disk alarms,
    # the broker's view of a dead consumer, a timeout across an outage that recovered, a
    # refused login cited from the broker's side only) are fixed in analyzer/rules
    # (corroborate, alarms.py, resolved_by, both_sides).
}

# Live runs only: whether an RPC call straddles a blocked spell (and times out just after
# the clients reconnect) depends on where the periodic calls fall; broker-stopped makes it
# certain by stopping the broker inside a call. Recorded bundles are fixed.
LIVE_VARIES: dict[tuple[str, str], str] = {
    (f"{case}-recovered", "verdict"): _TIMEOUT_AFTER_RECOVERY
    for case in ("memory-alarm", "disk-alarm")
}


def check_params(bundles: dict[str, dict[str, Any]], *, live: bool = False) -> list[Any]:
    """pytest params (bundle, check) for every check that applies, known gaps xfail.

    Recorded bundles are fixed, so their gaps are strict. In a live run the checks whose
    outcome depends on timing (``LIVE_VARIES``) may pass or fail: not strict there.
    """
    params = []
    for name, expect in sorted(bundles.items()):
        for which in CHECKS:
            if which != "verdict" and expect[which] is None:
                continue
            gap = KNOWN_GAPS.get((name, which))
            varies = LIVE_VARIES.get((name, which)) if live else None
            marks = (
                [pytest.mark.xfail(strict=False, reason=varies)]
                if varies
                else [pytest.mark.xfail(strict=True, reason=gap)]
                if gap
                else []
            )
            params.append(pytest.param(name, which, marks=marks, id=f"{name}-{which}"))
    return params


def analysis_of(bundle: Path) -> dict[str, Any]:
    doc, _frames, _inventory = analyse([bundle])
    return to_builtins(doc)


def _evidence(doc: dict[str, Any], file_suffix: str) -> list[str]:
    """Evidence texts from one log, over the current findings that support the verdict."""
    cls = doc["verdict"]["class"]
    return [
        e["text"]
        for f in doc["findings"]
        if f["supports"] == cls
        for e in f["evidence"]
        if str(e["file"]).endswith(file_suffix)
    ]


def check(doc: dict[str, Any], expect: dict[str, Any], which: str) -> None:
    """Assert one check of ``expect`` (an ``expected.json`` bundle entry) on ``doc``."""
    verdict = doc["verdict"]
    if which == "verdict":
        assert verdict["class"] == expect["class"], verdict
        if expect["subcause"]:
            assert expect["subcause"] in verdict["subcauses"], verdict
        if expect["class"] == "no_failure_found":
            assert verdict["subcauses"] == [], verdict
        if expect["history"]:
            assert expect["history"] in {f["key"] for f in doc["history"]}, doc["history"]
        return
    pattern = expect[which]
    suffix = CLIENT_FILE if which == "client_evidence" else BROKER_FILE
    texts = _evidence(doc, suffix)
    assert any(re.search(pattern, t) for t in texts), (
        f"no evidence from {suffix} matching {pattern!r}; cited from it: {texts}"
    )
