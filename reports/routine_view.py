"""What the routine lines of large logs said (``routine_messages``), in words.

Every figure of the section is an estimate from a sample of the folded records: counts
are rounded to the digits the sample can vouch for and said with "about", and the
section says once how they were estimated.
"""

from __future__ import annotations

from analyzer import plural
from analyzer.document import RoutineMessage, RoutineMessages
from reports import wording as w
from reports.text import DASH, grouped, second
from reports.view_types import RoutineRow, RoutineView

HOSTS_NAMED = 3  # hosts named in a row before "and N more"


def significant_digits(sampled: int) -> int:
    """How many leading digits of an estimate a sample of ``sampled`` records vouches for.

    A count of n sampled records varies by about √n, a relative error of 1/√n: over 30%
    under 10 records, 10% at 100, 1% at 10,000.
    """
    if sampled < 100:
        return 1
    if sampled < 10_000:
        return 2
    return 3


def about(estimate: int, sampled: int) -> str:
    """An estimated count, rounded to the digits its sample vouches for: "about 402,000"."""
    drop = len(str(abs(estimate))) - significant_digits(sampled)
    rounded = round(estimate, -drop) if drop > 0 else estimate
    return w.ROUTINE_ABOUT.format(n=grouped(rounded))


def share(estimate: int, folded: int) -> str:
    """An estimate as a share of every folded record: "about 34%", "about 2.5%"."""
    if folded <= 0:
        return DASH
    percent = 100 * estimate / folded
    if percent < 0.1:
        return w.ROUTINE_SHARE_TINY
    words = f"{percent:.0f}%" if percent >= 10 else f"{percent:.1f}%"
    return w.ROUTINE_ABOUT.format(n=words)


def hosts(names: list[str], count: int) -> str:
    """The first hosts by name, the others counted: "hv-01, hv-02, hv-03 and 17 more".

    A single host left over is named when the document gives its name ("and 1 more" would
    hide a name it knows)."""
    count = max(count, len(names))
    if count == 0:
        return DASH
    if not names:
        return plural.render(w.ROUTINE_HOSTS_UNNAMED, {"n": count})
    named = names[: HOSTS_NAMED + 1] if count == HOSTS_NAMED + 1 else names[:HOSTS_NAMED]
    more = count - len(named)
    if more:
        return w.ROUTINE_HOSTS_MORE.format(named=", ".join(named), more=more)
    if len(named) == 1:
        return named[0]
    return f"{', '.join(named[:-1])} and {named[-1]}"


def _row(number: int, m: RoutineMessage, folded: int) -> RoutineRow:
    return RoutineRow(
        number=number,
        template=m.template,
        level=m.level or DASH,
        records=about(m.records_estimated, m.sampled),
        share=share(m.records_estimated, folded),
        hosts=hosts(m.hosts, m.host_count),
        first=second(m.first),
        last=second(m.last),
        where=f"{m.example_file}:{m.example_line}" if m.example_file else DASH,
        example=m.example or DASH,
    )


def routine_view(rm: RoutineMessages | None) -> RoutineView | None:
    """The section, or None when there is nothing to show (no log folded, no template)."""
    if rm is None or not rm.messages:
        return None
    shown = len(rm.messages)
    which = (
        plural.render(w.ROUTINE_WHICH_ALL, {"shown": shown})
        if shown >= rm.templates
        else w.ROUTINE_WHICH_SOME.format(shown=shown, templates=grouped(rm.templates))
    )
    estimate = plural.render(
        w.ROUTINE_ESTIMATE,
        {
            "every": grouped(rm.sample_every),
            "sampled": grouped(rm.sampled),
            "folded": grouped(rm.folded_records),
        },
    )
    return RoutineView(
        title=w.ROUTINE_TITLE,
        intro=w.ROUTINE_INTRO.format(which=which),
        estimate=estimate,
        columns=w.ROUTINE_COLUMNS,
        examples_title=w.ROUTINE_EXAMPLES,
        example_title=w.ROUTINE_EXAMPLE,
        rows=[_row(i, m, rm.folded_records) for i, m in enumerate(rm.messages, start=1)],
    )
