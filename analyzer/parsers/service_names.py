"""The service a log belongs to, from its file, folder, pod or logger name.

``hosts/<h>/var/log/pf9/ostackhost.log`` is nova-compute, a pod ``nova-conductor-7d9f...``
is nova-conductor, a record of logger ``nova.scheduler.manager`` is nova-scheduler.
"""

from __future__ import annotations

import pandas as pd

from analyzer.parsers.loglines import STRING

_SERVICE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("ostackhost", "nova-compute"),
    ("pf9-ostackhost", "nova-compute"),
    ("nova-compute", "nova-compute"),
    ("nova-conductor", "nova-conductor"),
    ("nova-scheduler", "nova-scheduler"),
    ("nova-api", "nova-api"),
    ("nova-novncproxy", "nova-novncproxy"),
    ("nova-serialproxy", "nova-serialproxy"),
    ("placement", "placement"),
    ("rabbitmq", "rabbitmq"),
    ("rabbit", "rabbitmq"),
    ("broker", "rabbitmq"),
    ("hostagent", "pf9-hostagent"),
    ("pf9-hostagent", "pf9-hostagent"),
    ("comms", "pf9-comms"),
    ("pf9-comms", "pf9-comms"),
)

_LOGGER_SERVICES: tuple[tuple[str, str], ...] = (
    ("nova.conductor", "nova-conductor"),
    ("nova.scheduler", "nova-scheduler"),
    ("nova.api", "nova-api"),
    ("nova.compute", "nova-compute"),
    ("nova.virt", "nova-compute"),
)


def service_from_name(name: str) -> str | None:
    """Service a file or pod name stands for (``nova-conductor-7d9f...`` -> nova-conductor)."""
    lowered = name.lower()
    for prefix, service in _SERVICE_PREFIXES:
        if lowered.startswith(prefix):
            return service
    return None


def service_from_path(path: str) -> str | None:
    """Service from the file name, else from the folders (not the host folder of hosts/<h>/)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    candidates = [parts[-1]]
    for i in range(len(parts) - 2, -1, -1):
        if i > 0 and parts[i - 1] == "hosts":
            continue
        candidates.append(parts[i])
    for name in candidates:
        found = service_from_name(name)
        if found:
            return found
    return None


def service_from_logger(loggers: pd.Series) -> pd.Series:
    """Per-record service guessed from the logger name (nova.conductor.manager -> ...)."""
    out = pd.Series(pd.NA, index=loggers.index, dtype=STRING)
    text = loggers.astype(STRING).fillna("")
    for prefix, service in _LOGGER_SERVICES:
        hit = text.str.startswith(prefix).to_numpy(dtype=bool) & out.isna().to_numpy(dtype=bool)
        out[hit] = service
    return out
