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

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from analyzer.cells import opt_int, opt_str
from analyzer.document import timeline as doc
from analyzer.model import iso
from analyzer.runbook import STUCK_AFTER as STUCK_AFTER_TIME
from analyzer.textmatch import EncodedText

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
    rows: pd.DataFrame | None = None
    host: str | None = None

    @cached_property  # rows are set once; outcome() and to_document() both ask
    def stage(self) -> str:
        rows = self.rows
        if rows is None or rows.empty:
            return "api"
        stages = {STAGE_OF_ROLE.get(str(r), "") for r in rows["role"].dropna()}
        if (rows["family"] == "host_selected").any():
            stages.add("conductor")
        if (rows["family"] == "vm_launched").any():
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
        times = [t for t in (self.created_at, self._row_time(0)) if t is not None]
        return min(times) if times else None

    def _row_time(self, i: int) -> pd.Timestamp | None:
        rows = self.rows
        if rows is None or rows.empty:
            return None
        ts = rows["timestamp"].dropna()
        if ts.empty:
            return None
        value = ts.iloc[i]
        return value if isinstance(value, pd.Timestamp) else None

    def to_document(self, collected_at: pd.Timestamp | None) -> doc.VmStory:
        rows = self.rows if self.rows is not None else pd.DataFrame()
        last = rows.dropna(subset=["timestamp"]).tail(1) if not rows.empty else rows
        scheduled = None
        if not rows.empty:
            scheduled = bool(rows["family"].isin(["schedule_start", "host_selected"]).any())
        return doc.VmStory(
            id=self.id,
            name=self.name,
            status=self.status,
            outcome=self.outcome(collected_at),
            stage=self.stage,
            created_at=iso(self.created_at),
            accepted_at=iso(_first_of(rows, "create_request")),
            scheduled=scheduled,
            scheduled_at=iso(_first_of(rows, "schedule_start")),
            host=self.host,
            request_ids=self.request_ids,
            last_event=_event(last.iloc[0]) if not last.empty else None,
            events=[_event(r) for r in _story_rows(rows)[list(_EVENT_COLUMNS)].to_dict("records")],
        )


def _first_of(rows: pd.DataFrame, family: str) -> pd.Timestamp | None:
    if rows.empty:
        return None
    hit = rows[rows["family"] == family]["timestamp"].dropna()
    return hit.iloc[0] if not hit.empty else None


def _story_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows worth telling: every row with a family, else the first and last."""
    if rows.empty:
        return rows
    told = rows[rows["family"].notna()]
    if len(told) > MAX_STORY_EVENTS:
        half = MAX_STORY_EVENTS // 2
        told = pd.concat([told.head(half), told.tail(MAX_STORY_EVENTS - half)])
    return told


_EVENT_COLUMNS = ("timestamp", "lane", "family", "severity", "file", "line", "message")
_STORY_COLUMNS = (*_EVENT_COLUMNS, "role", "request_id", "global_request_id", "instance")


def _event(row: Mapping[Any, Any] | pd.Series) -> doc.StoryEvent:
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
    # A story reads these columns only: every VM's row selections copy nothing else.
    timeline = timeline[[c for c in _STORY_COLUMNS if c in timeline.columns]]
    wanted = servers[servers["status"].fillna("").str.upper().isin(["BUILD", "ERROR"])]
    if since is not None and not wanted.empty:
        wanted = wanted[wanted["created_at"].isna() | (wanted["created_at"] >= since)]
    wanted = wanted.sort_values("created_at", na_position="last").head(MAX_STORIES)
    creates = timeline[timeline["family"] == "create_request"]
    claimed: set[int] = set()
    out: list[Story] = []
    if not wanted.empty:
        messages = EncodedText(timeline["message"])  # one encoding for every VM's search
        for _, vm in wanted.iterrows():
            out.append(_story(timeline, messages, vm, creates, claimed))
    out += _hung(timeline, creates, claimed, servers, collected_at, since)
    return out[:MAX_STORIES]


def _story(
    timeline: pd.DataFrame,
    messages: EncodedText,
    vm: pd.Series,
    creates: pd.DataFrame,
    claimed: set[int],
) -> Story:
    vm_id = str(vm["id"])
    named = (timeline["instance"] == vm_id).fillna(False).to_numpy(dtype=bool)
    rows = timeline[named | messages.contains_text(vm_id)]
    created = vm["created_at"] if pd.notna(vm["created_at"]) else None
    rids = {str(r) for r in rows["request_id"].dropna()}
    if created is not None and not creates.empty:
        near = creates[~creates.index.isin(claimed)]
        if rids:
            own = near[near["request_id"].isin(rids)]
            near = own if not own.empty else near
        delta = (near["timestamp"] - created).abs().dt.total_seconds()
        delta = delta[delta <= API_MATCH_S]
        if not delta.empty:
            best = delta.idxmin()
            claimed.add(int(best))
            rid = opt_str(creates.at[best, "request_id"])
            if rid:
                rids.add(rid)
    grids = {str(g) for g in rows["global_request_id"].dropna() if str(g) != "None"}
    if rids or grids:
        linked = timeline["request_id"].isin(rids).fillna(False)
        if grids:
            linked |= timeline["global_request_id"].isin(grids).fillna(False)
        rows = timeline[named | linked]
    host = opt_str(vm.get("host"))
    return Story(
        id=vm_id,
        name=opt_str(vm["name"]),
        status=opt_str(vm["status"]),
        created_at=created,
        request_ids=sorted(rids),
        rows=rows,
        host=host,
    )


def _hung(
    timeline: pd.DataFrame,
    creates: pd.DataFrame,
    claimed: set[int],
    servers: pd.DataFrame,
    collected_at: pd.Timestamp | None,
    since: pd.Timestamp | None,
) -> list[Story]:
    """API creates that nothing downstream ever logged, and that match no listed server."""
    if creates.empty:
        return []
    open_creates = creates[~creates.index.isin(claimed) & creates["request_id"].notna()]
    if since is not None:
        open_creates = open_creates[open_creates["timestamp"] >= since]
    if open_creates.empty:
        return []
    counts = (
        timeline[timeline["request_id"].isin(open_creates["request_id"])]
        .groupby("request_id")["lane"]
        .nunique()
    )
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
            rows=timeline.loc[[idx]],
        )
        if story.outcome(collected_at) == "hung":
            out.append(story)
    return out
