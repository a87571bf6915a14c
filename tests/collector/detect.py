"""Yelp's detect-secrets over a finished bundle: a check that shares nothing with the collector.

Every bundle the collector, corpus and ``analyze redact`` tests leave behind is scanned
(``conftest.py``, ``tests/test_redact_cli.py``), and so is every shipped and lab fixture
bundle (``tests/secrets/test_fixture_bundles.py``). detect-secrets runs with its default
plugins and filters, less one slow filter that only ever removes findings
(:data:`analyzer.secret_check.SLOW_FILTER`). The only spans left out are the documented ids of
:data:`analyzer.secret_check.KNOWN_IDS` (digests, project ids, a Kubernetes uid, RabbitMQ's
own directory names), each in the one shape of line it appears in; the rest of such a line is
scanned as usual, and no detector is turned off.
"""

from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path

from detect_secrets import SecretsCollection

from analyzer.secret_check import blank_known_ids, detect_secrets_settings


def detected_secrets(bundle: Path) -> list[str]:
    """What detect-secrets finds in a bundle: "member:line type" (never the value)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with tarfile.open(bundle, "r:gz") as tar:
            tar.extractall(root, filter="data")
        files = sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            path.write_text(blank_known_ids(text), encoding="utf-8")
        with detect_secrets_settings():
            found = SecretsCollection(root=str(root))
            for path in files:  # in this process: scan_files would start a pool
                found.scan_file(str(path))
        problems: list[str] = []
        for filename, secret in found:
            # the member as the archive names it, without its top folder
            path = Path(filename)
            path = path.relative_to(root) if path.is_absolute() else path
            member = path.as_posix().split("/", 1)[-1]
            problems.append(f"{member}:{secret.line_number} {secret.type}")
        return sorted(problems)
