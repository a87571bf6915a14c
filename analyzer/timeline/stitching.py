"""Per-VM stories: each VM's lines across API, scheduler, conductor and compute, joined.

A VM's rows are those naming its instance UUID (in the ``instance`` column or in the text,
as the scheduler's ``Starting to schedule for instances: ['<uuid>']`` does), plus every row
sharing a request id (``req-...``) or global request id with them. The API's
``POST /v2.1/servers`` line names no instance, so a create whose request never reached the
scheduler (the signature of a lost RPC cast) is tied to its server by time: the API line
closest to the server's ``created`` time, within ``API_MATCH_S``.

A story says where the VM got to (``stage``: api, scheduler, conductor, compute, active,
failed) and how it ended (``outcome``: stuck, failed, active, building, hung). API creates
that match no known server and were never scheduled become ``hung`` stories without an id:
VMs that hung and were deleted since (an old incident) still count.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from analyzer.cells import missing, opt_int, opt_str
from analyzer.document import timeline as doc
from analyzer.model import iso
from analyzer.runbook import STUCK_AFTER as STUCK_AFTER_TIME
from analyzer.timeline.row_groups import RowGroups, union

API_MATCH_S = 10.0
MAX_STORY_EVENTS = 8
MAX_STORIES = 50
STUCK_AFTER = pd.Timedelta(STUCK_AFTER_TIME)

STAGE_OF_ROLE = {
    "create": "api",
    "schedule": "scheduler",
    "build": "compute",
    "build_ok": "active",
    "build_fail": "failed",
}
STAGE_ORDER = ("api", "scheduler", "conductor", "compute", "active", "failed")


@dataclass
class Story:
    id: str | None
    name: str | None
    status: str | None
    created_at: pd.Timestamp | None
    request_ids: list[str] = field(default_factory=list)
    # its timeline rows (``_STORY_COLUMNS``) in timeline order, as plain records
    rows: list[dict[Hashable, Any]] = field(default_factory=list)
    host: str | None = None

    @cached_property  # outcome() and to_document() both ask
    def stage(self) -> str:
        records = self.rows
        if not records:
            return "api"
        stages = {STAGE_OF_ROLE.get(str(r["role"]), "") for r in records if not missing(r["role"])}
        families = {_family(r) for r in records}
        if "host_selected" in families:
            stages.add("conductor")
        if "vm_launched" in families:
            stages.add("active")
        for stage in reversed(STAGE_ORDER):
            if stage in stages:
                return stage
        return "api"

    def outcome(self, collected_at: pd.Timestamp | None) -> str:
        status = (self.status or "").upper()
        stage = self.stage
        if status == "ERROR" or stage == "failed":
            return "failed"
        if status == "ACTIVE" or stage == "active":
            return "active"
        age = (
            collected_at - self.created_at
            if collected_at is not None and self.created_at is not None
            else None
        )
        if self.id is None:
            return "hung" if age is None or age > STUCK_AFTER else "building"
        if status == "BUILD":
            return "stuck" if age is not None and age > STUCK_AFTER else "building"
        return status.lower() or "unknown"

    @property
    def first(self) -> pd.Timestamp | None:
        times = [t for t in (self.created_at, self._first_row_time()) if t is not None]
        return min(times) if times else None

    def _first_row_time(self) -> pd.Timestamp | None:
        timed = self._timed
        value = timed[0]["timestamp"] if timed else None
        return value if isinstance(value, pd.Timestamp) else None

    @cached_property  # ``first`` is asked again and again by the incident window
    def _timed(self) -> list[dict[Hashable, Any]]:
        return [r for r in self.rows if not missing(r["timestamp"])]

    def to_document(self, collected_at: pd.Timestamp | None) -> doc.VmStory:
        records = self.rows
        timed = self._timed
        scheduled = None
        if records:
            scheduled = any(_family(r) in ("schedule_start", "host_selected") for r in records)
        return doc.VmStory(
            id=self.id,
            name=self.name,
            status=self.status,
            outcome=self.outcome(collected_at),
            stage=self.stage,
            created_at=iso(self.created_at),
            accepted_at=iso(_first_of(timed, "create_request")),
            scheduled=scheduled,
            scheduled_at=iso(_first_of(timed, "schedule_start")),
            host=self.host,
            request_ids=self.request_ids,
            last_event=_event(timed[-1]) if timed else None,
            events=[_event(r) for r in _story_rows(records)],
        )


def _family(record: Mapping[Hashable, Any]) -> str | None:
    return opt_str(record["family"])


def _first_of(timed: list[dict[Hashable, Any]], family: str) -> pd.Timestamp | None:
    """The time of the first of the (timed) rows of ``family``."""
    return next((r["timestamp"] for r in timed if _family(r) == family), None)


def _story_rows(records: list[dict[Hashable, Any]]) -> list[dict[Hashable, Any]]:
    """The rows worth telling: every row with a family, the first and last few of them."""
    told = [r for r in records if _family(r) is not None]
    if len(told) > MAX_STORY_EVENTS:
        half = MAX_STORY_EVENTS // 2
        told = told[:half] + told[-(MAX_STORY_EVENTS - half) :]
    return told


_EVENT_COLUMNS = ("timestamp", "lane", "family", "severity", "file", "line", "message")
_STORY_COLUMNS = (*_EVENT_COLUMNS, "role", "request_id", "global_request_id", "instance")


def _event(row: Mapping[Hashable, Any]) -> doc.StoryEvent:
    return doc.StoryEvent(
        timestamp=iso(row["timestamp"]),
        lane=opt_str(row["lane"]),
        family=opt_str(row["family"]),
        severity=opt_str(row["severity"]),
        file=opt_str(row["file"]),
        line=opt_int(row["line"]),
        text=opt_str(row["message"]) or "",
    )


def stories(
    timeline: pd.DataFrame,
    servers: pd.DataFrame,
    collected_at: pd.Timestamp | None,
    *,
    since: pd.Timestamp | None = None,
) -> list[Story]:
    """Stories of the VMs worth a look: in BUILD or ERROR, and hung API creates.

    ``servers`` is one row per server (``RuleContext.servers``). With ``since``, only VMs
    and hung creates from that time on are told.
    """
    if servers.empty and timeline.empty:
        return []
    # A story reads these columns only: the take of the stories' rows copies nothing else.
    timeline = timeline[[c for c in _STORY_COLUMNS if c in timeline.columns]]
    wanted = servers[servers["status"].fillna("").str.upper().isin(["BUILD", "ERROR"])]
    if since is not None and not wanted.empty:
        wanted = wanted[wanted["created_at"].isna() | (wanted["created_at"] >= since)]
    wanted = wanted.sort_values("created_at", na_position="last").head(MAX_STORIES)
    creates = timeline[timeline["family"] == "create_request"]
    claimed: set[int] = set()
    out: list[Story] = []
    if not wanted.empty:
        groups = _Groups(timeline)  # one grouping of the frame for every VM's look-ups
        api = _Creates(creates, claimed)
        found = [_story(groups, vm, api) for vm in wanted.to_dict("records")]
        out += _with_rows(timeline, found)
    out += _hung(timeline, creates, claimed, servers, collected_at, since, MAX_STORIES - len(out))
    return out[:MAX_STORIES]


class _Groups:
    """The timeline's rows by instance, message text, request id and global request id."""

    def __init__(self, timeline: pd.DataFrame) -> None:
        self.instance = RowGroups(timeline["instance"])
        self.message = RowGroups(timeline["message"])
        self.request_id = RowGroups(timeline["request_id"])
        self.global_request_id = RowGroups(timeline["global_request_id"])


class _Creates:
    """The API's create rows, each tied to one VM at most (``claimed``: their labels)."""

    def __init__(self, creates: pd.DataFrame, claimed: set[int]) -> None:
        self._labels = creates.index.to_numpy()
        self._request_ids = creates["request_id"]
        self._rid_values = list(self._request_ids)
        # microseconds since the epoch, as a VM's creation time is read below; rows without
        # a time are told by _no_time
        self._micros = creates["timestamp"].to_numpy(dtype="datetime64[us]").astype(np.int64)
        self._no_time = creates["timestamp"].isna().to_numpy(dtype=bool)
        self._open = np.ones(len(creates), dtype=bool)
        self._claimed = claimed

    def claim(self, created: pd.Timestamp, rids: set[str]) -> str | None:
        """The request id of the open create closest to ``created`` (within API_MATCH_S),
        among those of ``rids`` when any is open; that create is claimed."""
        near = self._open
        if rids:
            named = np.array([rid in rids for rid in self._rid_values], dtype=bool)
            own = near & named
            near = own if own.any() else near
        # the seconds between each create and ``created``, as pandas' total_seconds gives
        # them (a whole number of microseconds over a million), in numpy: one VM at a time
        micros = np.abs(self._micros - _micros(created)).astype(np.float64)
        seconds = np.where(self._no_time, np.nan, micros / 1e6)
        close = np.flatnonzero(near & (seconds <= API_MATCH_S))
        if not close.size:
            return None
        best = close[np.argmin(seconds[close])]  # the first of equals, as idxmin
        self._open[best] = False
        self._claimed.add(int(self._labels[best]))
        return opt_str(self._request_ids.iloc[best])


def _micros(at: pd.Timestamp) -> int:
    """Microseconds since the epoch of a time (the servers' and timeline's unit)."""
    return int(pd.Timestamp(at).as_unit("us").to_datetime64().astype(np.int64))


def _story(groups: _Groups, vm: Mapping[Hashable, Any], api: _Creates) -> tuple[Story, np.ndarray]:
    """A VM's story without its rows yet, and the positions of its rows in the timeline."""
    vm_id = str(vm["id"])
    named = groups.instance.rows([vm_id])
    rows = union(named, groups.message.rows_containing(vm_id))
    created = vm["created_at"] if pd.notna(vm["created_at"]) else None
    rids = groups.request_id.values_at(rows)
    if created is not None:
        rid = api.claim(created, rids)
        if rid:
            rids.add(rid)
    grids = groups.global_request_id.values_at(rows) - {"None"}
    if rids or grids:
        rows = union(named, groups.request_id.rows(rids), groups.global_request_id.rows(grids))
    story = Story(
        id=vm_id,
        name=opt_str(vm["name"]),
        status=opt_str(vm["status"]),
        created_at=created,
        request_ids=sorted(rids),
        host=opt_str(vm.get("host")),
    )
    return story, rows


def _with_rows(timeline: pd.DataFrame, found: list[tuple[Story, np.ndarray]]) -> list[Story]:
    """The stories with their rows, taken from the timeline at once: taking a few rows of a
    long text column costs its whole length (pyarrow joins its chunks first), so one take
    serves every VM."""
    if not found:
        return []
    every = union(*(rows for _, rows in found))
    records = timeline.iloc[every].to_dict("records")
    return [
        replace(story, rows=[records[i] for i in np.searchsorted(every, rows)])
        for story, rows in found
    ]


def _hung(
    timeline: pd.DataFrame,
    creates: pd.DataFrame,
    claimed: set[int],
    servers: pd.DataFrame,
    collected_at: pd.Timestamp | None,
    since: pd.Timestamp | None,
    limit: int,
) -> list[Story]:
    """API creates that nothing downstream ever logged, and that match no listed server:
    the first ``limit`` of them."""
    if creates.empty or limit <= 0:
        return []
    open_creates = creates[~creates.index.isin(claimed) & creates["request_id"].notna()]
    if since is not None:
        open_creates = open_creates[open_creates["timestamp"] >= since]
    if open_creates.empty:
        return []
    named = timeline["request_id"].isin(open_creates["request_id"])
    counts = timeline[["request_id", "lane"]][named].groupby("request_id")["lane"].nunique()
    alone = counts[counts <= 1].index
    known = servers["created_at"].dropna() if not servers.empty else pd.Series(dtype=object)
    out = []
    for idx, row in open_creates[open_creates["request_id"].isin(alone)].iterrows():
        ts = row["timestamp"]
        if not known.empty and ((known - ts).abs().dt.total_seconds() <= API_MATCH_S).any():
            continue  # a listed server we could not tie to it: not proof of a hang
        story = Story(
            id=None,
            name=None,
            status=None,
            created_at=ts if pd.notna(ts) else None,
            request_ids=[str(row["request_id"])],
            rows=creates.loc[[idx]].to_dict("records"),  # the same row, from the small frame
        )
        if story.outcome(collected_at) == "hung":
            out.append(story)
            if len(out) >= limit:
                break
    return out
