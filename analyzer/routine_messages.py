"""``routine_messages`` of the document: the folded records' templates over every log.

Each folded log holds the templates of its own sample (``log_templates``, from
``analyzer.fold_templates``); here the same template on twenty hypervisors becomes one
entry, its estimate the sum of theirs.
"""

from __future__ import annotations

import pandas as pd

from analyzer import document as d
from analyzer.frames import Frames
from analyzer.model import iso

SHOWN = 10
"""Templates listed, the most frequent first."""
HOSTS_SHOWN = 5
EXAMPLE_CHARS = 500


def routine_messages(frames: Frames, folded_records: int) -> d.RoutineMessages | None:
    """The most frequent templates of the folded records (``folded_records`` of them in
    all); None when no log was folded."""
    rows = frames.log_templates
    if not folded_records and rows.empty:
        return None
    if rows.empty:
        return d.RoutineMessages(
            sample_every=0, folded_records=folded_records, sampled=0, templates=0, messages=[]
        )
    rows = rows.assign(
        estimated=rows["sampled"] * rows["sample_every"],
        order=range(len(rows)),
        host=rows["host"].fillna(rows["file"]),
    )
    keys = ["level", "template"]
    totals = rows.groupby(keys, sort=False).agg(
        estimated=("estimated", "sum"),
        sampled=("sampled", "sum"),
        first=("first", "min"),
        last=("last", "max"),
    )
    top = totals.sort_values("estimated", ascending=False, kind="stable").iloc[:SHOWN]
    top = top.reset_index().sort_values(
        ["estimated", "template", "level"], ascending=[False, True, True], kind="stable"
    )
    messages = [_message(rows, entry) for entry in top.itertuples(index=False)]
    return d.RoutineMessages(
        sample_every=int(rows["sample_every"].max()),
        folded_records=folded_records,
        sampled=int(rows["sampled"].sum()),
        templates=len(totals),
        messages=messages,
    )


def _message(rows: pd.DataFrame, entry: object) -> d.RoutineMessage:
    level, template = str(getattr(entry, "level")), str(getattr(entry, "template"))  # noqa: B009
    mine = rows[(rows["level"] == level) & (rows["template"] == template)]
    per_host = mine.groupby("host", sort=False)["sampled"].sum()
    hosts = sorted(per_host.items(), key=lambda kv: (-int(kv[1]), str(kv[0])))
    # the example: the earliest sampled record (a log without times: the first listed)
    at = mine.sort_values(["first", "order"], na_position="last", kind="stable").iloc[0]
    return d.RoutineMessage(
        template=template,
        level=level,
        records_estimated=int(getattr(entry, "estimated")),  # noqa: B009
        sampled=int(getattr(entry, "sampled")),  # noqa: B009
        hosts=[str(h) for h, _ in hosts[:HOSTS_SHOWN]],
        host_count=len(hosts),
        first=iso(getattr(entry, "first")),  # noqa: B009
        last=iso(getattr(entry, "last")),  # noqa: B009
        example=str(at["example"])[:EXAMPLE_CHARS],
        example_file=str(at["file"]),
        example_line=int(at["first_line"]),
    )
