"""Sampled patterns (analyzer.patterns.searched(..., sampled=True)) in a folded log.

A busy hypervisor logs "Took N seconds to build instance" once per VM built. Its readers
ask for the last one per host (a resolution), the first and last cited, and the first
after a failure; a folded log keeps those as rows and indexes the rest.
"""

from __future__ import annotations

from _pytest.monkeypatch import MonkeyPatch
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import patterns
from analyzer.analysis import sampled_patterns, searched_patterns
from analyzer.fold import Folded, Folder
from analyzer.fold_index import restore
from analyzer.line_match import Searched
from analyzer.parsers import oslo_log
from analyzer.patterns import searched
from analyzer.timeline.families import BY_NAME

PATTERNS = searched_patterns()
SAMPLED = Searched(PATTERNS, frozenset(sampled_patterns()))

# The line shape of nova-compute in the Loghub OpenStack dataset
# (https://github.com/logpai/loghub, OpenStack/openstack_normal1.log: "2017-05-16
# 00:00:04.500 2931 INFO nova.compute.manager [req-... 113d3a99c3da401fbd62cc2caa5b96d2
# 54fadb412c4e40cdbaed9335e4c35a9e - - -] [instance: ...] Took 19.84 seconds to build
# instance."); times, request ids and instances vary per line here.
CONTEXT = "113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -"


def took(minute: int, second: int, n: int) -> str:
    return (
        f"2017-05-16 00:{minute:02d}:{second:02d}.500 2931 INFO nova.compute.manager "
        f"[req-3ea4052c-895d-4b64-9e2d-{n:012d} {CONTEXT}] "
        f"[instance: b9000564-fe1a-409b-b8cc-{n:012d}] Took 19.84 seconds to build instance."
    )


# oslo.messaging's reconnect as the lab's real oslo.messaging logged it
# (fixtures/lab/auth-failure-fixed.tgz), on this log's clock and process
RECONNECT = (
    "2017-05-16 00:02:30.000 2931 INFO oslo.messaging._drivers.impl_rabbit [-] "
    "[dedf534e-2837-481b-a940-8813616ff2b9] Reconnected to AMQP server on 127.0.0.1:58911 "
    "via [amqp] client with port 34352."
)


def builds() -> list[str]:
    """Eight builds in minute 00, six in minute 01, a reconnect, five in minute 02."""
    lines = [took(0, 5 * i, i) for i in range(8)]
    lines += [took(1, 5 * i, 100 + i) for i in range(6)]
    lines += [took(2, 10 + i, 200 + i) for i in range(2)]
    lines.append(RECONNECT)
    lines += [took(2, 31 + i, 300 + i) for i in range(3)]
    return lines


def fold(lines: list[str], chunk: int = 1 << 20, wanted: Searched = SAMPLED) -> Folded:
    folder = Folder("oslo_log", oslo_log.FOLD, wanted)
    data = ("\n".join(lines) + "\n").encode()
    for i in range(0, len(data), chunk):
        folder.feed(data[i : i + chunk])
    return folder.finish()


def kept_numbers(folded: Folded) -> list[int]:
    return [int(n) for n in folded.line_numbers]


def test_build_results_and_resolutions_are_sampled_and_reconnects_are_not() -> None:
    assert BY_NAME["build_ok"].pattern in sampled_patterns()
    assert any(p.startswith("Reconnected to AMQP server|Took") for p in sampled_patterns())
    # the reconnect alternative of that resolution is a message family of its own: a row
    assert BY_NAME["amqp_reconnected"].pattern not in sampled_patterns()


def test_first_and_last_of_each_minute_and_the_first_after_a_kept_record() -> None:
    lines = builds()
    folded = fold(lines)
    # minute 00: 2 and 8 (1, a chunk's first record, and 20, its last, are kept whole: they
    # may go on in the chunks around it); minute 01: 9 and 14; minute 02: 15, then the
    # reconnect (17), the first build after it (18) and the last of the minute (19)
    assert kept_numbers(folded) == [1, 2, 8, 9, 14, 15, 17, 18, 19, 20]
    assert folded.kept.decode().splitlines() == [lines[n - 1] for n in kept_numbers(folded)]
    # the others are counted and indexed, to come back for a VM or request that needs them
    assert folded.folded_records == len(lines) - 10
    assert sum(len(part.numbers) for part in folded.index) == len(lines) - 10


def test_without_sampling_every_build_is_a_row() -> None:
    folded = fold(builds(), wanted=Searched(PATTERNS))
    assert kept_numbers(folded) == list(range(1, len(builds()) + 1))
    assert folded.folded_records == 0


def test_a_sampled_record_at_warning_stays_a_row() -> None:
    lines = [took(0, i, i) for i in range(8)]
    lines[4] = lines[4].replace(" INFO ", " WARNING ")
    assert kept_numbers(fold(lines)) == [1, 2, 5, 6, 7, 8]  # 6: the first after the warning


def test_an_indexed_build_comes_back_for_its_request() -> None:
    folded = fold(builds())
    request = b"req-3ea4052c-895d-4b64-9e2d-000000000003"
    back = restore(folded, (), frozenset({request}), oslo_log.FOLD.minute_width)
    assert 4 in kept_numbers(back)
    assert back.folded_records == folded.folded_records - 1


@settings(max_examples=40, deadline=None)
@given(chunk=st.integers(min_value=200, max_value=6000))
def test_chunking_never_loses_a_minutes_first_or_last(chunk: int) -> None:
    lines = builds()
    kept = set(kept_numbers(fold(lines, chunk)))
    assert {1, 8, 9, 14, 15, 18, 20} <= kept  # 18: the reconnect's next build
    assert 17 in kept  # the reconnect itself
    assert len(kept) + fold(lines, chunk).folded_records == len(lines)


def test_a_pattern_also_registered_for_rows_is_not_sampled(monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setattr(patterns, "_PATTERNS", dict(patterns._PATTERNS))
    monkeypatch.setattr(patterns, "_AS_ROWS", set(patterns._AS_ROWS))
    assert r"Took [0-9.]+ seconds to build instance" in patterns.sampled_patterns()
    searched(r"a sampled pattern of this test", sampled=True)
    assert r"a sampled pattern of this test" in patterns.sampled_patterns()
    searched(r"a sampled pattern of this test")
    assert r"a sampled pattern of this test" not in patterns.sampled_patterns()
