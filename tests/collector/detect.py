"""Yelp's detect-secrets over a finished bundle: a check that shares nothing with the collector.

Every bundle the collector tests leave behind is scanned (``conftest.py``). detect-secrets runs
with its default plugins; the only findings tolerated are hex strings that are ids the analyzer
needs, never secrets: the SHA-256 digests of the members (``"sha256"`` in the manifest) and
OpenStack project ids (``"project_id"``, ``"Project ID"``).
"""

from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path

from detect_secrets import SecretsCollection
from detect_secrets.settings import default_settings

HEX_ENTROPY = "Hex High Entropy String"
_ID_FIELDS = ('"sha256"', '"project_id"', '"Project ID"')


def detected_secrets(bundle: Path) -> list[str]:
    """What detect-secrets finds in a bundle: "member:line type" (never the value)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with tarfile.open(bundle, "r:gz") as tar:
            tar.extractall(root, filter="data")
        files = sorted(str(p) for p in root.rglob("*") if p.is_file())
        with default_settings():
            found = SecretsCollection(root=str(root))
            for name in files:  # in this process: scan_files would start a pool
                found.scan_file(name)
        problems: list[str] = []
        for filename, secret in found:
            path = root / filename
            line = path.read_text(errors="replace").splitlines()[secret.line_number - 1]
            if secret.type == HEX_ENTROPY and any(f in line for f in _ID_FIELDS):
                continue
            key = line.split(":", 1)[0].strip() if ":" in line else ""
            problems.append(f"{filename}:{secret.line_number} {secret.type} (at {key[:40]})")
        return problems
