"""Ingest, stage two: which parser reads each file, and with what it may know of the file.

Identification goes by the collector layout first and by content second, so a bundle
assembled by hand from renamed files is read like a collected one. The same
identification decides, while a bundle is still being read, which large logs to fold.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from analyzer.bundle import Bundle, FoldPolicy
from analyzer.fold import Folder
from analyzer.line_match import Searched
from analyzer.metadata import Metadata, describes_bundle, host_of
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import PARSERS, line_prefix, loglines, terminal_wrap
from analyzer.parsers.base import ParserSpec
from analyzer.parsing import Job

SNIFF_BYTES = 8192
_BY_KIND = {spec.kind: spec for spec in PARSERS}


@dataclass
class Jobs:
    """The parse jobs of one bundle, and the files that get none."""

    jobs: list[Job] = field(default_factory=list)
    empty: list[int] = field(default_factory=list)  # ranks: a problem each, once parsed
    unrecognised: list[str] = field(default_factory=list)


def make_jobs(bundle: Bundle, meta: Metadata) -> Jobs:
    """One job per data file a parser recognises, in file order."""
    out = Jobs()
    for rank, src in enumerate(bundle.files):
        if describes_bundle(src.path):
            continue
        if src.folded is None and not src.data.strip():
            out.empty.append(rank)
            continue
        spec = _spec_of(src)
        if spec is None:
            out.unrecognised.append(src.path)
            continue
        out.jobs.append(Job(rank, src, spec, _context(bundle.name, src.path, meta)))
    return out


def _spec_of(src: SourceFile) -> ParserSpec | None:
    """A folded log's parser was chosen when it was folded; any other file is identified."""
    if src.folded is not None:
        return _BY_KIND.get(src.folded.kind)
    return identify(src)


def _context(bundle: str, path: str, meta: Metadata) -> SourceContext:
    return SourceContext(
        bundle=bundle,
        path=path,
        host=host_of(path),
        utc_offset=meta.utc_offset(path),
        collected_at=meta.info.collected_at,
    )


def identify(src: SourceFile, parsers: Sequence[ParserSpec] = PARSERS) -> ParserSpec | None:
    for spec in parsers:
        if spec.matches_path(src.path):
            return spec
    head = src.data[:SNIFF_BYTES].decode("utf-8", errors="replace")
    found = _sniff(head, parsers)
    if found is None:
        # a log pasted from the journal or a container runtime is known by what follows
        # the collector's prefix (the parsers cut it again: analyzer.parsers.line_prefix)
        inner = line_prefix.strip_head(head)
        if inner is not None:
            found = _sniff(inner, parsers)
    return found


def _sniff(head: str, parsers: Sequence[ParserSpec]) -> ParserSpec | None:
    for spec in parsers:
        try:
            if spec.sniff(head):
                return spec
        except Exception:  # noqa: BLE001, S112 - a sniffer bug must not stop identification
            continue
    return None


def fold_policy(wanted: Searched, parsers: Sequence[ParserSpec] = PARSERS) -> FoldPolicy:
    """Which large files to read folded: the logs of a parser that declares how, also
    behind a journal's or compose's prefix (``line_prefix.fold_prefix``). A folded log
    keeps the lines matching ``wanted``'s patterns (every pattern the analysis searches
    for), those matching its sampled ones only as a sample (``analyzer.patterns``)."""

    def policy(path: str, head: bytes) -> Folder | None:
        src = SourceFile(bundle="", path=path, data=head[:SNIFF_BYTES])
        spec = identify(src, parsers)
        if spec is None and "/" in path:  # the bundle's top folder is not stripped yet
            spec = identify(SourceFile(bundle="", path=path.split("/", 1)[1], data=src.data))
        if spec is None or spec.fold is None:
            return None
        # A format the fold cannot tell records in (RabbitMQ 3.6 reports, a file named like
        # a log of another kind) is read whole: folded, it would vanish without a count.
        text = head[:SNIFF_BYTES].decode("utf-8", errors="replace")
        prefix = None
        if not re.search(spec.fold.level, text, flags=re.MULTILINE):
            # a journal's or compose's prefix before the format's own lines is cut by the
            # fold as by the whole read
            prefix = line_prefix.fold_prefix(text)
            inner = line_prefix.strip_head(text) if prefix is not None else None
            if inner is None or not re.search(spec.fold.level, inner, flags=re.MULTILINE):
                return None
        # A log pasted from a terminal, its records wrapped at the window's width, is read
        # whole: the fold reads lines, and only the whole read joins them again.
        if terminal_wrap.wrapped(loglines.split_lines(text)):
            return None
        return Folder(spec.kind, spec.fold, wanted, prefix)

    return policy
