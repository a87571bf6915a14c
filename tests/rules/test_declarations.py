"""Every rule declares itself completely and consistently (what the rest of the analyzer
derives from the declarations: skipping, missing sources, the symptom table, the words)."""

from __future__ import annotations

import string

import pytest

from analyzer.diagnosis import wanted_sources
from analyzer.model import Deployment
from analyzer.rules import RULES, Rule
from analyzer.runbook import SOURCES, Source, Symptom


def names(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_rule_keys_are_unique() -> None:
    keys = [r.key for r in RULES]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("rule", RULES, ids=[r.key for r in RULES])
def test_rule_declaration_is_complete(rule: Rule) -> None:
    assert rule.description.endswith("."), rule.key
    assert (rule.title and rule.title[0].isupper()) or rule.title.startswith("lib")
    assert rule.inputs, "a rule names the sources it reads"
    assert all(source in SOURCES for source in rule.inputs)
    assert rule.samples.fires
    assert rule.samples.near_miss
    assert rule.samples.fires != rule.samples.near_miss


@pytest.mark.parametrize("rule", RULES, ids=[r.key for r in RULES])
def test_rule_words_name_only_declared_facts(rule: Rule) -> None:
    declared = rule.facts.__required_keys__ | rule.facts.__optional_keys__
    sentence = rule.sentence
    assert not names(sentence.fallback), "the fallback is used when facts are unknown"
    for template in (sentence.text, *sentence.extras):
        assert names(template) <= declared, template
    if rule.feeds is not None:
        assert names(rule.feeds.says) <= declared | {"keys"}, rule.feeds.says
    if rule.rebuts is not None:
        assert not names(rule.rebuts.fallback)
        assert names(rule.rebuts.text) <= declared, rule.rebuts.text


def test_feeds_name_rows_of_the_symptom_table() -> None:
    fed = {r.feeds.row for r in RULES if r.feeds is not None}
    assert fed <= set(Symptom)
    assert Symptom.ERROR_MESSAGE in fed


def test_every_source_is_wanted_by_some_rule_and_saas_wants_no_management_plane() -> None:
    assert wanted_sources(Deployment.SELF_HOSTED) == list(Source)
    saas = wanted_sources(Deployment.SAAS)
    assert saas == [s for s in Source if not SOURCES[s].management_plane]
    assert Source.SERVERS in saas
    assert Source.PODS not in saas


def test_rules_that_overrule_the_symptom_table_are_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "analysis-json.md").read_text()
    for rule in RULES:
        if rule.rebuts is not None:
            assert f"| `{rule.key}` | {rule.supports.value} |" in doc, rule.key
