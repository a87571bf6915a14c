"""``routine_messages``: what the routine lines of large logs said.

A large log is folded (``analyzer.fold``): the records no rule, family or story reads are
counted per minute, not parsed. Those counts say how busy a log was but not with what. A
sample of the folded records (one in ``sample_every``, chosen by a hash of each record's
place in its file, so a periodic pattern in the log cannot line up with it) is reduced to
message templates, ids and numbers masked; each template's count is estimated from the
sample. The estimates are for reading ("the log is mostly lock messages"), not for rules.
"""

from __future__ import annotations

from analyzer.document.base import Record, Time


class RoutineMessage(Record, frozen=True):
    """One message template of folded records, over every folded log of the bundles."""

    template: str  # the record's first line after its time stamp, ids and numbers masked
    level: str  # DEBUG or INFO (records at WARNING or above are never folded)
    records_estimated: int  # sampled * sample_every
    sampled: int  # folded records of this template in the sample
    hosts: list[str]  # the hosts whose logs hold it, most sampled first (at most five)
    host_count: int
    first: Time | None  # the earliest and latest sampled record of this template
    last: Time | None
    example: str  # one of its lines as written (the first sampled, cut at 500 characters)
    example_file: str
    example_line: int


class RoutineMessages(Record, frozen=True):
    sample_every: int  # one folded record in this many is sampled
    folded_records: int  # every folded record (counted exactly, per minute)
    sampled: int  # folded records in the sample
    templates: int  # distinct templates in the sample
    messages: list[RoutineMessage]  # the most frequent, most first (at most ten)
