"""Counts in sentence templates: the singular for exactly one, the plural otherwise."""

from __future__ import annotations

import string

import pytest

from analyzer import plural
from reports.wording import FINDING_SENTENCES, fill


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 servers carry"),
        (1, "1 server carries"),
        (2, "2 servers carry"),
        ("1", "1 server carries"),
    ],
)
def test_a_count_takes_the_words_of_its_number(n: object, expected: str) -> None:
    assert plural.render("{n:# server carries|# servers carry}", {"n": n}) == expected


def test_a_count_may_hide_its_number_and_plain_fields_stay_text() -> None:
    template = "{down} of {up:# host|# hosts} {down:has|have} stopped; restarted {r:once|# times}"
    assert plural.render(template, {"down": 1, "up": 3, "r": 1}) == (
        "1 of 3 hosts has stopped; restarted once"
    )
    assert plural.render(template, {"down": 2, "up": 1, "r": 4}) == (
        "2 of 1 host have stopped; restarted 4 times"
    )


def test_fill_leaves_a_sentence_with_an_unknown_count_to_its_fallback() -> None:
    assert fill("{n:# VM|# VMs} stuck", {}) is None
    assert fill("{n:# VM|# VMs} stuck", {"n": "1"}) == "1 VM stuck"


def test_every_finding_sentence_names_its_counts_with_both_words() -> None:
    for words in FINDING_SENTENCES.values():
        for template in (words.text, *words.extras):
            for _literal, name, spec, _conv in string.Formatter().parse(template):
                if name is not None and spec:
                    assert "|" in spec, (template, spec)  # no other format spec is read
