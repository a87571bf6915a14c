"""The "Next steps" box: what each verdict asks first, with commands taken from the
document's own sections (never a second copy)."""

from __future__ import annotations

import pytest

from analyzer.document import from_builtins
from reports.next_steps_view import next_steps
from reports.render import render_html, render_markdown
from tests.recovery.test_commands import SHIPPED, document, every_command
from tests.reports import samples

EXPECTED = {
    "healthy": ("nothing", []),
    "old-incident": ("nothing", []),
    "resource-exhaustion": ("advice", []),
    "host-failure": ("advice", []),
    "saas-hypervisor-only": ("escalate", ["recovery/escalation"]),
    "selfhosted-broker-oom": (
        "commands",
        ["fixes/raise_memory_limit", "steps/restart_broker", "steps/verify_create"],
    ),
    "selfhosted-memory-alarm": (
        "commands",
        ["fixes/raise_memory_limit", "steps/restart_broker", "steps/verify_create"],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_next_steps_of_each_fixture(name: str) -> None:
    ns = document(name).next_steps
    assert (ns.kind, ns.refs) == EXPECTED[name]


@pytest.mark.parametrize("name", SHIPPED)
def test_box_commands_are_the_sections_commands(name: str) -> None:
    doc = document(name)
    box = next_steps(doc)
    sections = every_command(doc) + [m.command for m in doc.missing_sources]
    for step in box.steps:
        for command in step.commands:
            assert command in sections
    assert 1 <= len(box.steps) <= 3 or box.words  # commands, or plain words instead


@pytest.mark.parametrize("name", SHIPPED)
def test_box_comes_right_after_the_verdict(name: str) -> None:
    doc = document(name)
    html = render_html(doc)
    assert html.index("</header>") < html.index('id="next-steps"') < html.index('id="symptoms"')
    md = render_markdown(doc)
    assert md.index("**Verdict:") < md.index("**Next steps.**") < md.index("## Symptoms")


def test_healthy_box_says_so_plainly() -> None:
    md = render_markdown(document("healthy"))
    box = md[md.index("**Next steps.**") : md.index("## Symptoms")]
    assert "Nothing to run" in box
    assert "```" not in box


def test_inconclusive_box_lists_the_collect_commands() -> None:
    doc = from_builtins(samples.inconclusive())
    box = next_steps(doc)
    assert [s.commands for s in box.steps] == [[m.command] for m in doc.missing_sources]


def test_unknown_deployment_box_warns_saas_users() -> None:
    box = next_steps(from_builtins(samples.unknown()))
    assert box.steps
    # before the commands, in the intro: on SaaS they must not be run at all
    assert "SaaS" in box.intro
    assert "do not run these" in box.intro


@pytest.mark.parametrize("name", SHIPPED)
def test_every_reference_resolves(name: str) -> None:
    doc = document(name)
    assert len(next_steps(doc).steps) == len(doc.next_steps.refs)
