"""Ingest, stage one: what a bundle says about itself, read before any data file.

The manifest gives the collection time, the deployment and the hypervisors' UTC offset;
each host's clock.json may correct that offset for its own files. Every one of them is
untrusted input, so a file that cannot be read becomes a bundle problem and the analysis
goes on without it. Nothing here touches the inventory: ``analyzer.ingest`` takes what
``read_metadata`` returns, so this stage stays one function of one bundle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from analyzer.bundle import Bundle
from analyzer.manifest import load_clock, load_manifest
from analyzer.model import (
    BundleInfo,
    BundleProblem,
    CollectedAtBasis,
    Manifest,
    SourceFile,
    iso,
)
from analyzer.sanitize import plausible

MANIFEST = "manifest.json"
CLOCK = "clock.json"


@dataclass
class Metadata:
    """One bundle's own account of itself, and what could not be read of it."""

    info: BundleInfo
    # (nested bundle folder, host) -> the offset its clock.json declares
    clocks: dict[tuple[str, str], timedelta] = field(default_factory=dict)
    problems: list[BundleProblem] = field(default_factory=list)  # in file order
    failed_collections: list[dict[str, object]] = field(default_factory=list)

    def utc_offset(self, path: str) -> timedelta | None:
        """The offset of a file's zone-less times: its host's clock.json, else the manifest's."""
        host = host_of(path)
        own = self.clocks.get((prefix_of(path), host)) if host else None
        return own if own is not None else self.info.utc_offset


def read_metadata(bundle: Bundle) -> Metadata:
    """The manifest, the clocks, the collection time and the failed collections."""
    manifest, clocks, problems = _manifest_and_clocks(bundle)
    collected_at, refused = _manifest_time(manifest)
    problems.extend(refused)
    collected_at, basis = _collection_time(collected_at, bundle)
    offset = manifest.utc_offset if manifest else None
    info = BundleInfo(bundle.name, len(bundle.files), manifest, collected_at, basis, offset)
    problems.extend(_truncated(manifest))
    return Metadata(info, clocks, problems, _failed_collections(manifest))


def host_of(path: str) -> str | None:
    """The host a file was collected from, when it sits under hosts/<host>/."""
    parts = path.split("/")
    if "hosts" in parts:
        i = parts.index("hosts")
        if i + 2 < len(parts) + 1 and i + 1 < len(parts) - 1:
            return parts[i + 1]
    return None


def prefix_of(path: str) -> str:
    """The nested bundle folder a file sits in ('' at the top), for per-host clocks."""
    parts = path.split("/")
    if "hosts" in parts:
        return "/".join(parts[: parts.index("hosts")])
    return ""


def describes_bundle(path: str) -> bool:
    """A file about the collection (manifest, clock, command output), not data to parse."""
    name = path.rsplit("/", 1)[-1]
    return name in (MANIFEST, CLOCK) or path.startswith("commands/")


def _manifest_and_clocks(
    bundle: Bundle,
) -> tuple[Manifest | None, dict[tuple[str, str], timedelta], list[BundleProblem]]:
    """The top-level manifest and every host's clock; the reader's problems first, then
    the unreadable ones, in file order."""
    manifest: Manifest | None = None
    clocks: dict[tuple[str, str], timedelta] = {}
    problems = list(bundle.problems)
    for src in bundle.files:
        name = src.path.rsplit("/", 1)[-1]
        if src.path == MANIFEST:
            manifest, found = _load_manifest(src)
            problems.extend(found)
        elif name == CLOCK and (host := host_of(src.path)) is not None:
            offset, found = _load_clock(src)
            problems.extend(found)
            if offset is not None:
                clocks[(prefix_of(src.path), host)] = offset
    return manifest, clocks, problems


def _load_manifest(src: SourceFile) -> tuple[Manifest, list[BundleProblem]]:
    """The manifest, or an empty one and a problem: a bad manifest never stops the analysis."""
    try:
        return load_manifest(src)
    except Exception as exc:  # noqa: BLE001 - untrusted JSON: fail forward
        return Manifest(), [
            BundleProblem(src.path, f"unreadable manifest ({type(exc).__name__})", "the manifest")
        ]


def _load_clock(src: SourceFile) -> tuple[timedelta | None, list[BundleProblem]]:
    try:
        return load_clock(src), []
    except Exception as exc:  # noqa: BLE001 - untrusted JSON: fail forward
        problem = f"unreadable clock ({type(exc).__name__})"
        return None, [BundleProblem(src.path, problem, "the host offset")]


def _manifest_time(manifest: Manifest | None) -> tuple[datetime | None, list[BundleProblem]]:
    """The manifest's collection time, unless no working clock could have written it."""
    collected_at = manifest.collected_at if manifest else None
    if collected_at is None or plausible(collected_at, None):
        return collected_at, []
    problem = f"collected_at {iso(collected_at)} is before 2000 or in the future"
    return None, [BundleProblem(MANIFEST, problem, "the collection time")]


def _collection_time(
    from_manifest: datetime | None, bundle: Bundle
) -> tuple[datetime | None, CollectedAtBasis]:
    """When the bundle was collected and how that is known: the manifest says so, else the
    newest archive member was written then (the newest data is a later, global fallback)."""
    if from_manifest is not None:
        return from_manifest, CollectedAtBasis.MANIFEST
    if bundle.newest_mtime is not None:
        return bundle.newest_mtime, CollectedAtBasis.ARCHIVE_MTIME
    return None, CollectedAtBasis.UNKNOWN


def _failed_collections(manifest: Manifest | None) -> list[dict[str, object]]:
    """What the collector tried and could not collect: a gap in the data, not a fault."""
    if manifest is None:
        return []
    return [
        {
            "path": item.path,
            "command": " ".join(item.command) if item.command else None,
            "exit_code": item.exit_code,
            "timed_out": item.timed_out,
            "error": item.error,
        }
        for item in manifest.items
        if item.failed
    ]


def _truncated(manifest: Manifest | None) -> list[BundleProblem]:
    """The files the collector cut short: their older part is missing."""
    if manifest is None:
        return []
    return [
        BundleProblem(t["path"], f"truncated by the collector ({t['reason']})", "the older part")
        for t in manifest.truncated
    ]
