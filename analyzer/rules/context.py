"""What every rule sees: the frames, the inventory and the derived facts they share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from analyzer.cells import opt_dt, opt_int
from analyzer.frames import Frames
from analyzer.model import CollectedAtBasis, Evidence, Inventory
from analyzer.patterns import is_registered
from analyzer.runbook import RECENT, STUCK_AFTER
from analyzer.textmatch import EncodedText

BROKER_POD = re.compile(r"^(rabbitmq|rabbit|broker)", re.IGNORECASE)
MAX_EVIDENCE = 6


@dataclass
class RuleContext:
    frames: Frames
    inventory: Inventory

    @property
    def collected_at(self) -> pd.Timestamp | None:
        t = self.inventory.collected_at
        return pd.Timestamp(t) if t is not None else None

    @cached_property
    def servers(self) -> pd.DataFrame:
        """One row per server: list rows merged with the richer `server show` rows."""
        s = self.frames.servers
        if s.empty:
            return s
        # server show rows carry created_at/fault; prefer the most complete row per id
        completeness = s.notna().sum(axis=1)
        s = s.assign(_c=completeness).sort_values(["id", "_c"], ascending=[True, False])
        merged = s.groupby("id", sort=False, dropna=True).first().reset_index()
        return merged.drop(columns=["_c"], errors="ignore")

    @cached_property
    def down_hosts(self) -> set[str]:
        svc = self.frames.services
        if svc.empty:
            return set()
        is_compute = svc["binary"].fillna("").str.contains("compute")
        compute = svc[["state", "host"]][is_compute]  # (the columns read below)
        down = compute[compute["state"].fillna("").str.lower() == "down"]
        return {str(h) for h in down["host"].dropna()}

    @cached_property
    def build_vms(self) -> pd.DataFrame:
        s = self.servers
        if s.empty:
            return s
        # a new frame (copy-on-write): its age column is not set on the servers
        b = s[s["status"].fillna("").str.upper() == "BUILD"]
        if self.collected_at is not None:
            b["age"] = self.collected_at - b["created_at"]
        else:  # no collection time: every age unknown (a NaT of timedelta type, not a time)
            b["age"] = pd.Series(pd.NaT, index=b.index, dtype="timedelta64[us]")
        return b

    @cached_property
    def stuck_vms(self) -> pd.DataFrame:
        """BUILD for over STUCK_AFTER at collection time, never at analysis time."""
        b = self.build_vms
        if b.empty:
            return b
        return b[b["age"] > pd.Timedelta(STUCK_AFTER)].sort_values("created_at")

    @cached_property
    def recent_since(self) -> pd.Timestamp | None:
        """Where the current failure begins; None when nothing can be judged old (no
        collection time, or only a local clock's reading of it)."""
        now = self.collected_at
        if now is None or self.inventory.collected_at_basis is CollectedAtBasis.NEWEST_LOCAL_TIME:
            return None
        since = now - pd.Timedelta(RECENT)
        stuck = self.stuck_vms
        if not stuck.empty and stuck["created_at"].notna().any():
            since = min(since, stuck["created_at"].min() - pd.Timedelta(minutes=30))
        return since

    def logs(
        self,
        pattern: str,
        *,
        sources: tuple[str, ...] | None = None,
        recent: bool = True,
        in_detail: bool = False,
    ) -> pd.DataFrame:
        """Log records whose message (or folded detail) matches ``pattern``.

        The frames do not change during a diagnosis, so each search runs once: several
        rules read the same stages of scheduling and service states. Callers must not
        modify the frame they get.
        """
        if not is_registered(pattern):
            raise ValueError(f"log pattern {pattern!r} is not registered in analyzer.patterns")
        key = (pattern, sources, recent, in_detail)
        found = self._searches.get(key)
        if found is None:
            found = self._search(pattern, sources, recent, in_detail)
            self._searches[key] = found
        return found

    @cached_property
    def _searches(self) -> dict[tuple[str, tuple[str, ...] | None, bool, bool], pd.DataFrame]:
        return {}

    def _search(
        self, pattern: str, sources: tuple[str, ...] | None, recent: bool, in_detail: bool
    ) -> pd.DataFrame:
        logs = self.frames.logs
        if logs.empty:
            return logs
        hit = self._messages.contains(pattern)
        if in_detail:
            hit |= self._details.contains(pattern)
        if sources is not None:
            hit &= self._from_sources(sources)
        if recent and self.recent_since is not None:
            hit &= self._recent_rows  # as only_recent would keep them
        return logs.take(self._in_time_order(np.flatnonzero(hit)))

    def _in_time_order(self, rows: np.ndarray) -> np.ndarray:
        """Positions of log rows, ordered as ``sort_values("timestamp", na_position="first")``
        orders those rows: the one column sorted, so the frame's many columns are taken once.
        (sort_values sorts a column by its array's argsort, called here as it calls it.)"""
        times = self.frames.logs["timestamp"].array.take(rows)
        order: np.ndarray = times.argsort(kind="quicksort", na_position="first")
        return rows.take(order)

    @cached_property
    def _recent_rows(self) -> np.ndarray:
        """Per log row: only_recent keeps it (no time, or a time since ``recent_since``)."""
        times = self.frames.logs["timestamp"]
        return (times.isna() | (times >= self.recent_since)).to_numpy(dtype=bool)

    # One encoding of each searched column per analysis: every rule's pattern then runs over
    # the distinct texts only (see analyzer.textmatch), and rows are taken once per call.
    @cached_property
    def _messages(self) -> EncodedText:
        return EncodedText(self.frames.logs["message"])

    @cached_property
    def _details(self) -> EncodedText:
        return EncodedText(self.frames.logs["detail"])

    def _from_sources(self, sources: tuple[str, ...]) -> np.ndarray:
        logs = self.frames.logs
        mask = logs["source"].isin(sources) | logs["service"].isin(sources)
        return mask.fillna(False).to_numpy(dtype=bool)

    def only_recent(self, frame: pd.DataFrame, column: str = "timestamp") -> pd.DataFrame:
        since = self.recent_since
        if since is None or frame.empty:
            return frame
        return frame[frame[column].isna() | (frame[column] >= since)]

    @cached_property
    def broker_pods(self) -> pd.DataFrame:
        pods = self.frames.pods
        if pods.empty:
            return pods
        is_broker = pods["pod"].fillna("").str.match(BROKER_POD) | pods["container"].fillna(
            ""
        ).str.match(BROKER_POD)
        return pods[is_broker]


def log_evidence(frame: pd.DataFrame, limit: int = MAX_EVIDENCE) -> list[Evidence]:
    """First and last records of a match: where it began and where it stands now."""
    if frame.empty:
        return []
    # the first and last rows of the columns read below, in one take
    frame = frame[[c for c in _EVIDENCE_COLUMNS if c in frame.columns]]
    if len(frame) > limit:
        n, last = len(frame), limit // 2
        frame = frame.take(np.r_[0 : limit - last, n - last : n])
    return [
        Evidence(
            file=str(row.file),
            line=_int(row.line),
            timestamp=_dt(row.timestamp),
            text=_line_text(row),
        )
        for row in frame.itertuples(index=False)
    ]


_EVIDENCE_COLUMNS = ("file", "line", "timestamp", "message", "level", "logger")


def _line_text(row: object) -> str:
    message = str(getattr(row, "message", "") or "")
    level = getattr(row, "level", None)
    logger = getattr(row, "logger", None)
    prefix = " ".join(str(p) for p in (level, logger) if isinstance(p, str) and p)
    return f"{prefix} {message}".strip() if prefix else message


def row_evidence(file: object, line: object, ts: object, text: str) -> Evidence:
    return Evidence(file=str(file), line=_int(line), timestamp=_dt(ts), text=text)


_int = opt_int
_dt = opt_dt
