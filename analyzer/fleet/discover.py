"""Which bundles a fleet run covers, and the partition name each one gets.

``analyze fleet DIR...`` is pointed at folders of attachments, not at bundles one by one:
every ``.tgz``/``.tar.gz``/``.tar`` file under a DIR is a bundle, and so is every folder
that looks like an unpacked bundle (it holds ``manifest.json`` or one of the layout folders
``openstack/``, ``hosts/``, ``kubernetes/``, ``commands/``); nothing inside a bundle folder
is looked at again. Links are not followed (bundles are untrusted and so are the trees they
are dropped into). A DIR that is itself an archive file is one bundle.

Each bundle gets a key that is safe as a Hive partition value (``bundle=<key>``) and as a
folder name: its file name without the archive suffix, other characters than letters,
digits, ``.``, ``_`` and ``-`` replaced, and ``-2``, ``-3``... when two bundles share it.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.bundle import ARCHIVE_SUFFIXES, LAYOUT_DIRS, bundle_name
from analyzer.errors import UsageError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_KEY = 120


@dataclass(frozen=True)
class BundleJob:
    """One bundle to analyse: where it is and its partition key in the dataset."""

    key: str
    path: str


def is_archive(name: str) -> bool:
    return name.endswith(ARCHIVE_SUFFIXES)


def is_bundle_dir(path: str) -> bool:
    """An unpacked bundle: a manifest or a layout folder directly inside."""
    try:
        names = set(os.listdir(path))
    except OSError:
        return False
    return "manifest.json" in names or any(
        d in names and os.path.isdir(os.path.join(path, d)) for d in LAYOUT_DIRS
    )


def _walk(root: str) -> Iterator[str]:
    """Bundles under one folder, depth first in name order; links are never followed."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink():
            continue
        if entry.is_file(follow_symlinks=False) and is_archive(entry.name):
            yield entry.path
        elif entry.is_dir(follow_symlinks=False):
            if is_bundle_dir(entry.path):
                yield entry.path
            else:
                yield from _walk(entry.path)


def partition_key(path: str) -> str:
    """A bundle's name made safe for ``bundle=<key>/`` (never empty, never ``.``/``..``)."""
    key = _UNSAFE.sub("_", bundle_name(path)).strip("._")[:_MAX_KEY]
    return key or "bundle"


def find_bundles(locations: Sequence[str | Path]) -> list[BundleJob]:
    """Every bundle under the given folders (or the archives named), with unique keys.

    Raises UsageError for a location that does not exist or is neither a folder nor an
    archive; an empty result is the caller's to judge.
    """
    paths: list[str] = []
    for loc in map(str, locations):
        try:
            st = os.stat(loc)
        except OSError:
            raise UsageError(f"{loc}: no such file or directory") from None
        if stat.S_ISDIR(st.st_mode):
            paths.extend([loc] if is_bundle_dir(loc) else _walk(loc))
        elif stat.S_ISREG(st.st_mode) and is_archive(loc):
            paths.append(loc)
        else:
            raise UsageError(f"{loc}: not a folder or a .tgz/.tar.gz/.tar bundle")
    jobs: list[BundleJob] = []
    used: set[str] = set()  # lower case: two keys must not collide on a case-blind disk
    for path in dict.fromkeys(paths):  # the same bundle named twice is analysed once
        base = key = partition_key(path)
        n = 1
        while key.lower() in used:
            n += 1
            key = f"{base}-{n}"
        used.add(key.lower())
        jobs.append(BundleJob(key, path))
    return jobs
