"""Is a written bundle clean? Detectors that share no rule with the redaction, line by line.

``analyze redact`` masks with the collector's rules; checking its output with the same rules
would only prove that they agree with themselves. So the archive it wrote is read back and
every line of every member goes through two independent detectors:

- the collector's :class:`~collectors.pcd_collect.SecretScanner` (an entropy check of long
  random-looking tokens, password-shaped values after a credential word, URL userinfo,
  private-key blocks, a few key formats), always;
- Yelp's detect-secrets with its default plugins, when it is installed (it is a test
  dependency, not a runtime one: the check still runs without it, with the scanner alone).

Some ids of a PCD bundle look random and are not secrets; they are needed to read the bundle
(a hash of a host, a Kubernetes uid, a broker's own directory names). ``KNOWN_IDS`` lists
each, narrowly: the id's span in the one shape of line where it appears, with the reason.
Only that span is left out; the rest of its line is scanned like any other. Everything found
is a :class:`Flag`: the member, the line number and the detector, never the value.
"""

from __future__ import annotations

import json
import re
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from collectors.pcd_collect import SecretScanner

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class KnownId:
    """An id that looks random, in the one place it appears: the span ``id`` is not scanned."""

    pattern: re.Pattern[str]
    why: str


KNOWN_IDS = (
    KnownId(
        re.compile(
            r'"(?:sha256|project_id|Project ID|hostId|uid|pod-template-hash)"\s*:\s*"'
            r'(?P<id>[0-9a-f]{8,64})"'
        ),
        "hex ids in JSON: member digests in the manifest, project ids, nova's hostId (a hash "
        "of project and host), a Kubernetes object uid, a ReplicaSet's template hash",
    ),
    KnownId(
        re.compile(r"^Controlled By:\s+(?P<id>[A-Za-z]+/[a-z0-9.-]+)\s*$", re.M),
        "kubectl describe's owner reference: a ReplicaSet named after its template hash",
    ),
    KnownId(
        re.compile(r'(?:msg_stores/vhosts/|Message store ")(?P<id>[A-Z0-9]{20,32})\b'),
        "RabbitMQ's storage directory of a vhost (a hash of its name), in its own start-up "
        "and shutdown lines",
    ),
    KnownId(
        re.compile(r"'rabbitmq-cluster-id-(?P<id>[A-Za-z0-9_-]{16,32})'"),
        'the cluster id RabbitMQ makes up at first start ("Initialising internal cluster ID")',
    ),
)


def blank_known_ids(text: str) -> str:
    """``text`` with every known id replaced by ``ID``; the rest of each line is scanned."""
    for known in KNOWN_IDS:
        text = known.pattern.sub(_blank, text)
    return text


def _blank(m: re.Match[str]) -> str:
    whole, start = m.group(0), m.start("id") - m.start()
    return whole[:start] + "ID" + whole[m.end("id") - m.start() :]


@dataclass(frozen=True)
class Flag:
    """One line that still looks like it holds a secret (never the value itself)."""

    member: str
    line: int
    detector: str

    def __str__(self) -> str:
        return f"{self.member}:{self.line}: {self.detector}"


def detectors() -> list[str]:
    """The detectors a check runs on this machine."""
    try:
        import detect_secrets  # noqa: F401
    except ImportError:
        return ["entropy and credential-shape scan"]
    return ["entropy and credential-shape scan", "detect-secrets"]


def check_archive(path: Path) -> list[Flag]:
    """Every line of every regular member of a .tgz that a detector flags, in member order."""
    members: dict[str, bytes] = {}
    with tarfile.open(path, "r:gz") as tar:
        for info in tar:
            fh = tar.extractfile(info) if info.isfile() else None
            if fh is not None:
                members[info.name.split("/", 1)[-1]] = fh.read()
    return check_members(members)


def check_members(members: dict[str, bytes], detect_secrets: bool = True) -> list[Flag]:
    """``detect_secrets=False``: the scanner alone (for tests that run detect-secrets apart)."""
    texts = {name: _text(name, data) for name, data in members.items()}
    flags = _scanner_flags(texts)
    if detect_secrets:
        flags += _detect_secrets_flags(texts)
    return sorted(set(flags), key=lambda f: (f.member, f.line, f.detector))


def _text(name: str, data: bytes) -> str:
    text = blank_known_ids(data.decode("utf-8", errors="replace"))
    if name == MANIFEST or name.endswith("/" + MANIFEST):
        # its per-rule counts ("password_kv": 3) are what was masked, not what is left
        try:
            doc = json.loads(text)
        except ValueError:
            return text
        if isinstance(doc, dict):
            doc.pop("redaction", None)
            return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return text


def _scanner_flags(texts: dict[str, str]) -> list[Flag]:
    scanner = SecretScanner()
    flags: list[Flag] = []
    for name, text in texts.items():
        for number, line in enumerate(text.splitlines(), start=1):
            for rule in scanner.scan(line.encode("utf-8")):
                flags.append(Flag(name, number, f"self-scan {rule}"))
    return flags


# detect-secrets' filter of lines that look like `secret = get_secret()`: it only ever
# removes findings, and its regular expression costs five times the plugins themselves on
# log lines (about 20 s of CPU per MB). Without it the check is stricter and affordable.
SLOW_FILTER = "detect_secrets.filters.heuristic.is_indirect_reference"


@contextmanager
def detect_secrets_settings() -> Iterator[None]:
    """detect-secrets' default plugins and filters, less the slow false-positive filter."""
    from detect_secrets.settings import default_settings

    with default_settings() as settings:
        settings.disable_filters(SLOW_FILTER)
        yield


def _detect_secrets_flags(texts: dict[str, str]) -> list[Flag]:
    try:
        from detect_secrets.core.scan import scan_file
    except ImportError:  # not installed: the scanner above still ran
        return []
    flags: list[Flag] = []
    with tempfile.TemporaryDirectory(prefix="analyze-check-") as tmp:
        # numbered names keep hostile member names off the disk; the suffix is kept because
        # detect-secrets picks its keyword patterns by file type (.json, .yaml, ...)
        files: dict[str, str] = {}
        for i, (name, text) in enumerate(sorted(texts.items())):
            suffix = re.sub(r"[^A-Za-z0-9]", "", Path(name).suffix)[:8]
            path = Path(tmp) / f"{i:06d}.{suffix or 'txt'}"
            path.write_text(text, encoding="utf-8")
            files[str(path)] = name
        with detect_secrets_settings():
            for local, name in files.items():
                for secret in scan_file(local):
                    flags.append(Flag(name, secret.line_number, f"detect-secrets {secret.type}"))
    return flags
