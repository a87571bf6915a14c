"""Re-redacting a bundle: every text file through the collector's ``Redactor``, one new .tgz.

A bundle collected by hand (or by an old collector) may hold passwords, tokens and keys in
clear. ``analyze redact`` reads it the way every command does (``analyzer.bundle``: never
extracted, links never followed, the same limits), passes the text of every file through
:class:`collectors.pcd_collect.Redactor` (the collector's own rules, so a re-redacted bundle
is masked exactly as a collected one) and writes a new archive.

What is written is what the reader gives: a compressed rotation (``x.log.1.gz``) is
written decompressed (``x.log.1``), and the files of a nested archive
(``hv-01.tgz`` in an admin bundle) are written, redacted, under a folder of the archive's
name (``hv-01/``), which is where the analyzer finds them when it reads either bundle.
A file with a NUL byte is binary: the rules cannot see inside it, so it is dropped and
listed, never copied. Links, devices and members the reader skips are not written either.

The archive is deterministic: members sorted, each keeping the time it had in the input,
owner root, mode 0644, gzip header time 0, so the same input gives the same bytes. It is
written under a temporary name beside the target and renamed into place.

With an obfuscation mapping (``--obfuscate``) it is the collector's ``--obfuscate`` too:
hostnames and IP addresses, in the text and in member names, get the collector's stable
pseudonyms (the names it would have learnt while collecting are learnt from the bundle's own
server, service and pod lists first), and every distinct secret its own numbered mask.

Then the archive written is read back and checked by detectors that share no rule with the
redaction (:mod:`analyzer.secret_check`); what they flag is returned, never hidden.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.bundle import LAYOUT_DIRS, bundle_name, read_bundle
from analyzer.errors import UsageError
from analyzer.limits import Limits
from analyzer.model import BundleProblem, SourceFile
from analyzer.secret_check import Flag, check_archive
from collectors import pcd_collect
from collectors.pcd_collect import Obfuscator, Redactor

MANIFEST = "manifest.json"
_RULE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


@dataclass
class Redacted:
    """What a re-redaction wrote and left out (names and counts only, never a value)."""

    out: Path
    written: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    manifests: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)  # what the check of the archive found
    mapping: Path | None = None  # the pseudonym mapping, with --obfuscate
    replaced: dict[str, int] = field(default_factory=dict)  # hosts, addresses

    @property
    def masked(self) -> int:
        return sum(self.counts.values())


def default_out(bundle: Path) -> Path:
    """``<name>-redacted.tgz`` in the current folder."""
    return Path.cwd() / f"{bundle_name(str(bundle))}-redacted.tgz"


def redact_bundle(
    bundle: Path, out: Path, limits: Limits | None = None, obfuscation_map: Path | None = None
) -> Redacted:
    """Read ``bundle``, redact every text file, write the result to ``out`` (.tgz), check it.

    ``obfuscation_map``: obfuscate as the collector does, with the pseudonyms of that file
    (read if it exists, then saved with the names this bundle added).
    """
    _check_target(bundle, out)
    obfuscator = _load_mapping(obfuscation_map) if obfuscation_map is not None else None
    source = read_bundle(bundle, limits)  # no folding: every file is read whole
    # no environment: this machine's secrets are not the customer's
    redactor = Redactor(numbered=obfuscator is not None)
    result = Redacted(out=out, mapping=obfuscation_map)
    if obfuscator is not None:
        _learn_names(source.files, obfuscator)

    def clean(data: bytes) -> bytes:
        data = redactor.redact(data)
        return obfuscator.apply(data) if obfuscator is not None else data

    def shown(path: str) -> str:
        return obfuscator.apply_text(path) if obfuscator is not None else path

    result.dropped.extend(_skipped(p) for p in source.problems)
    members: dict[str, bytes] = {}
    manifests: list[SourceFile] = []
    for src in sorted(source.files, key=lambda f: f.path):
        if b"\x00" in src.data:
            result.dropped.append((src.path, "binary (NUL bytes); not redactable, not copied"))
        elif src.path == MANIFEST or src.path.endswith("/" + MANIFEST):
            manifests.append(src)
        else:
            members[shown(src.path)] = clean(src.data)
    documents: dict[str, dict[str, Any]] = {}
    for src in manifests:
        doc = _redacted_manifest(src.data, clean)
        if doc is None:  # not a JSON object: redacted like any other text
            members[shown(src.path)] = clean(src.data)
        else:
            documents[shown(src.path)] = doc
    result.counts = dict(redactor.counts)
    if obfuscator is not None:
        result.replaced = dict(obfuscator.replaced)
    for path, doc in documents.items():
        _note(doc, path, members, result, shown)
        members[path] = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        result.manifests.append(path)
    times = {shown(f.path): f.mtime for f in source.files}
    result.written = len(members)
    _write_tgz(out, _top(out), members, times)
    if obfuscator is not None and obfuscation_map is not None:
        _save_mapping(obfuscation_map, obfuscator)
    result.flags = check_archive(out)
    return result


def _load_mapping(path: Path) -> Obfuscator:
    """The collector's checks and reading of a mapping file (never through a link)."""
    try:
        pcd_collect.check_mapping_path(str(path))
        return Obfuscator(pcd_collect.load_mapping(str(path)))
    except pcd_collect.UsageError as exc:
        raise UsageError(str(exc)) from None


def _save_mapping(path: Path, obfuscator: Obfuscator) -> None:
    try:
        pcd_collect.save_mapping(str(path), obfuscator)
    except pcd_collect.UsageError as exc:
        raise UsageError(str(exc)) from None


def _learn_names(files: list[SourceFile], obfuscator: Obfuscator) -> None:
    """The names the collector learns while it runs: hypervisors, nodes, this host's name."""
    for src in files:
        parts = src.path.split("/")
        for i, part in enumerate(parts[:-2]):
            if part == "hosts":  # hosts/<hypervisor>/..., also inside a nested bundle's folder
                obfuscator.learn(parts[i + 1])
        if not src.path.endswith(".json") or b"\x00" in src.data:
            continue
        try:
            doc = json.loads(src.data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            continue  # listed by the analysis, not this command's concern
        obfuscator.learn_from(doc)
        if src.path.rsplit("/", 1)[-1] == MANIFEST and isinstance(doc, dict):
            host = doc.get("host")
            if isinstance(host, dict):
                obfuscator.learn(host.get("name"))


def _check_target(bundle: Path, out: Path) -> None:
    if out.exists() and (out.is_dir() and not out.is_symlink()):
        raise UsageError(f"{out}: a folder; --out names the .tgz to write")
    try:
        same = out.exists() and os.path.samefile(bundle, out)
    except OSError:
        same = False
    if same or out.resolve() == bundle.resolve():
        raise UsageError(f"{out}: the input bundle; not overwritten")
    if bundle.is_dir() and out.resolve().is_relative_to(bundle.resolve()):
        raise UsageError(f"{out}: inside the input bundle; write it elsewhere")


def _skipped(problem: BundleProblem) -> tuple[str, str]:
    return problem.file, f"{problem.problem}; not copied"


def _redacted_manifest(data: bytes, clean: Callable[[bytes], bytes]) -> dict[str, Any] | None:
    """The manifest, its text redacted; its rule counts kept apart (they are not secrets)."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(doc, dict):
        return None
    previous = doc.pop("redaction", None)
    text = json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")
    try:
        redacted = json.loads(clean(text))
    except ValueError:  # a mask that broke the JSON: keep the redacted text as it is
        return None
    if not isinstance(redacted, dict):  # pragma: no cover - a dict stays a dict
        return None
    redacted["redaction"] = _previous_redaction(previous)
    return redacted


def _previous_redaction(previous: object) -> dict[str, Any]:
    """Only what the collector writes there: ``enabled`` and per-rule counts."""
    kept: dict[str, Any] = {"enabled": True}
    if isinstance(previous, dict):
        if isinstance(previous.get("enabled"), bool):
            kept["enabled"] = previous["enabled"]
        rules = previous.get("rules")
        if isinstance(rules, dict):
            kept["rules"] = {
                k: v
                for k, v in rules.items()
                if isinstance(k, str)
                and _RULE_NAME.fullmatch(k)
                and isinstance(v, int)
                and not isinstance(v, bool)
            }
    return kept


def _note(
    doc: dict[str, Any],
    path: str,
    members: dict[str, bytes],
    result: Redacted,
    shown: Callable[[str], str],
) -> None:
    """Say in the manifest that the bundle was re-redacted, with the per-rule counts."""
    dropped = [shown(p) for p, _ in result.dropped]
    doc["redaction"]["re_redacted"] = {
        "by": f"analyze {__version__} redact",
        "rules": dict(result.counts),
        "not_copied": dropped,
        "numbered_masks": result.mapping is not None,
    }
    if result.mapping is not None:
        doc["obfuscation"] = {
            "enabled": True,
            "mapping_file": result.mapping.name,
            "replaced": dict(result.replaced),
        }
    notes = doc.get("notes")
    notes = notes if isinstance(notes, list) else []
    notes.append(
        f"re-redacted by `analyze redact`: {result.masked} value(s) masked, "
        f"{len(dropped)} member(s) not copied (redaction.re_redacted)"
    )
    doc["notes"] = notes
    files = doc.get("files")
    if isinstance(files, dict):  # sizes and digests of the files as now written
        base = path[: -len(MANIFEST)]
        for name, entry in files.items():
            data = members.get(base + name) if isinstance(name, str) else None
            if data is not None and isinstance(entry, dict):
                entry["bytes"] = len(data)
                entry["sha256"] = hashlib.sha256(data).hexdigest()


def _top(out: Path) -> str:
    """The archive's one top folder, which the reader strips again."""
    top = bundle_name(str(out)) or "bundle-redacted"
    return f"{top}-bundle" if top in LAYOUT_DIRS or top in (".", "..") else top


def _write_tgz(out: Path, top: str, members: dict[str, bytes], times: dict[str, Any]) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(members):
            data = members[path]
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size = len(data)
            when = times.get(path)
            info.mtime = int(when.timestamp()) if when is not None else 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    folder = out.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            with gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
                gz.write(raw.getvalue())
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
