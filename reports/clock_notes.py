"""How much to trust a clock offset: the note under the clock-skew table naming the pair an
offset rests on when it is the only one, or the pairs that disagree."""

from __future__ import annotations

from analyzer.document import ClockOffset, OffsetPair, PairedEvent
from reports import timeline_wording as tw
from reports import wording as w
from reports.text import duration, second, text

MAX_QUOTE = 70


def offset_words(seconds: float | None) -> str:
    """An offset as the clock table shows it: signed seconds, and minutes when long."""
    if seconds is None:
        return "unknown"
    n = round(seconds)
    if n == 0:
        return "0 s"
    return f"{n:+d} s" if abs(n) < 120 else f"{n:+d} s ({duration(abs(n))})"


def clock_notes(offsets: list[ClockOffset]) -> list[str]:
    notes: list[str] = []
    for o in offsets:
        source = text(o.source)
        if o.basis == "pairs-disagree" and o.evidence:
            said = "; ".join(_said(p) for p in o.evidence)
            notes.append(tw.CLOCK_PAIRS_DISAGREE.format(source=source, pairs=said))
        elif o.pairs == 1 and len(o.evidence) == 1:
            pair = o.evidence[0]
            notes.append(
                tw.CLOCK_SINGLE_PAIR.format(
                    source=source,
                    offset=offset_words(o.offset_s),
                    reference=_event(pair.reference),
                    own=_event(pair.own),
                )
            )
    return notes


def _said(pair: OffsetPair) -> str:
    return tw.CLOCK_PAIR_SAYS.format(
        kind=w.lookup(tw.CLOCK_PAIR_KIND, pair.kind),
        offset=offset_words(pair.offset_s),
        reference=_event(pair.reference),
        own=_event(pair.own),
    )


def _event(e: PairedEvent) -> str:
    where = text(e.file, "")
    if where and e.line is not None:
        where = f"{where}:{e.line}"
    quote = e.text if len(e.text) <= MAX_QUOTE else e.text[: MAX_QUOTE - 1] + "…"
    return tw.CLOCK_PAIR_EVENT.format(
        quote=quote, at=second(e.timestamp), where=where or text(e.lane)
    )
