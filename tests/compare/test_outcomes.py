"""Each outcome from its pair, with the evidence cited on both sides."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analyzer.compare import Analysed, CompareDocument, Outcome, compare
from analyzer.document import Evidence
from analyzer.model import iso

Side = Callable[[str], Analysed]
PAIRS = {
    "lab/broker-stopped": ("lab/broker-stopped", "lab/broker-stopped-recovered", "recovered"),
    "lab/memory-alarm": ("lab/memory-alarm", "lab/memory-alarm-recovered", "recovered"),
    "lab/disk-alarm": ("lab/disk-alarm", "lab/disk-alarm-recovered", "recovered"),
    "restarted": ("before", "oom-after-restarted", "recovered"),
    "stuck-left": ("before", "oom-after-stuck-left", "partially_recovered"),
    "relapse": ("before", "oom-after-relapse", "relapsed"),
    "untouched": ("before", "oom-after-untouched", "not_recovered"),
    "region-full": ("before", "oom-after-region-full", "different_failure"),
    "servers-only": ("before", "servers-only", "inconclusive"),
}


def _pair(side: Side, name: str) -> CompareDocument:
    before, after, _ = PAIRS[name]
    return compare(side(before), side(after))


def _cited(e: Evidence | None) -> bool:
    return e is not None and bool(e.file) and e.line is not None


@pytest.mark.parametrize("name", PAIRS)
def test_each_pair_gives_its_outcome(side: Side, name: str) -> None:
    doc = _pair(side, name)
    assert doc.outcome == PAIRS[name][2], doc.reasons
    assert (doc.escalation is None) == (doc.outcome is Outcome.RECOVERED)


def test_lab_broker_restart_is_a_recovery_with_both_sides_cited(side: Side) -> None:
    doc = _pair(side, "lab/broker-stopped")
    fix = doc.timing.fix
    assert fix is not None
    assert fix.basis == "broker_started"
    assert fix.evidence.file == "hosts/vm/rabbit@localhost.log"
    assert fix.evidence.line
    assert fix.evidence.text.startswith("Server startup complete")
    [client] = doc.clients
    assert client.state == "reconnected"
    assert _cited(client.before_evidence)
    assert _cited(client.after_evidence)
    assert client.after_evidence is not None
    assert "Reconnected to AMQP server" in client.after_evidence.text
    assert doc.creates
    assert all(c.result == "active" for c in doc.creates)
    assert all(_cited(c.evidence) for c in doc.creates)
    for f in doc.findings:  # what BEFORE showed, and that AFTER no longer shows it
        assert _cited(f.before_evidence)
        assert f.after == "absent"
    assert doc.timing.time_to_recovery_s is not None
    assert doc.timing.time_to_recovery_s < 5


def test_restart_and_clean_up_tell_each_stuck_vm_apart(
    side: Side, facts: Callable[[str], dict[str, object]]
) -> None:
    doc = _pair(side, "restarted")
    truth = facts("oom-after-restarted")
    now = {v.id: v for v in doc.stuck_vms}
    assert {i for i, v in now.items() if v.now == "ERROR"} == set(truth["reset_vm_ids"])  # type: ignore[arg-type]
    assert {i for i, v in now.items() if v.now == "deleted"} == set(truth["deleted_vm_ids"])  # type: ignore[arg-type]
    for v in doc.stuck_vms:
        assert _cited(v.before_evidence)
        assert not v.commands
        assert (v.after_evidence is None) == (v.now == "deleted")
    assert doc.broker.replaced
    assert not doc.broker.crashed_again
    # AFTER's own verdict still names the alarm, from client lines older than the fix
    assert "after_verdict_stale" in doc.reasons
    stale = {f.key: f for f in doc.findings}["broker_memory_alarm"]
    assert stale.after == "before_fix"
    assert _cited(stale.after_evidence)
    assert {c.state for c in doc.clients} == {"reconnected"}


def test_vms_left_in_build_are_a_partial_recovery_with_their_clean_up(side: Side) -> None:
    doc = _pair(side, "stuck-left")
    assert "vms_still_build" in doc.reasons
    assert doc.stuck_vms
    assert all(v.now == "BUILD" for v in doc.stuck_vms)
    for v in doc.stuck_vms:
        assert _cited(v.before_evidence)
        assert _cited(v.after_evidence)
        assert v.commands == [
            f"pcdctl server set --state error {v.id}",
            f"pcdctl server delete {v.id}",
        ]


def test_a_crash_after_the_fix_is_a_relapse_and_escalated(
    side: Side, facts: Callable[[str], dict[str, object]]
) -> None:
    doc = _pair(side, "relapse")
    fix = doc.timing.fix
    assert fix is not None
    assert fix.basis == "pod_killed"
    assert doc.broker.crashed_again
    assert doc.escalate
    assert (doc.broker.restart_count_before, doc.broker.restart_count_after) == (12, 1)
    killed = iso(facts("oom-after-relapse")["relapse_killed_at"])
    assert killed is not None
    assert killed in {e.timestamp for e in doc.broker.crash_evidence}
    assert all(e.timestamp and e.timestamp > fix.at for e in doc.broker.crash_evidence)
    oom = {f.key: f for f in doc.findings}["broker_pod_oomkilled"]
    assert oom.after == "current"
    assert _cited(oom.before_evidence)
    assert _cited(oom.after_evidence)
    assert doc.escalation is not None
    assert doc.escalation.cause == "memory"
    assert any(fix.at in t for t in doc.escalation.tried)


def test_nothing_done_is_not_recovered(side: Side) -> None:
    doc = _pair(side, "untouched")
    assert doc.timing.fix is None
    assert "no_fix_seen" in doc.reasons
    assert doc.clients
    assert {c.state for c in doc.clients} == {"failing"}
    for c in doc.clients:
        assert _cited(c.before_evidence)
        assert _cited(c.after_evidence)
    assert all(v.now == "BUILD" for v in doc.stuck_vms)
    assert doc.escalate
    assert doc.escalation is not None
    assert {v.id for v in doc.stuck_vms} <= set(doc.escalation.vm_ids)


def test_another_class_after_the_fix_is_a_different_failure(side: Side) -> None:
    doc = _pair(side, "region-full")
    assert doc.reasons == ["other_class"]
    nvh = {f.key: f for f in doc.findings}["no_valid_host"]
    assert not nvh.before
    assert nvh.after == "current"
    assert _cited(nvh.after_evidence)
    assert doc.creates
    assert {c.result for c in doc.creates} == {"failed"}


def test_an_after_without_logs_cannot_show_a_recovery(side: Side) -> None:
    doc = _pair(side, "servers-only")
    assert doc.reasons == ["after_without_logs"]
    assert not doc.mismatches  # no manifest: no region to disagree with


def test_a_compute_service_that_went_down_is_listed_with_both_sides(side: Side) -> None:
    # the same region two days later, when hv-03 lost libvirt and its compute service
    doc = compare(side("before"), side("host-failure"))
    assert doc.outcome is Outcome.DIFFERENT_FAILURE
    down = [s for s in doc.services if s.after.endswith("/down")]
    assert [(s.binary, s.host, s.before) for s in down] == [("nova-compute", "hv-03", "enabled/up")]
    assert _cited(down[0].before_evidence)
    assert _cited(down[0].after_evidence)


def test_saas_gets_the_packet_whatever_the_outcome(side: Side) -> None:
    doc = compare(side("saas"), side("saas"))
    assert doc.outcome is Outcome.INCONCLUSIVE
    assert doc.escalate
    assert doc.escalation is not None
    assert doc.escalation.deployment == "saas"
    assert doc.escalation.lines_before


def test_a_cleared_alarm_unblocks_the_clients(side: Side) -> None:
    doc = _pair(side, "lab/memory-alarm")
    fix = doc.timing.fix
    assert fix is not None
    assert fix.basis == "alarm_cleared"
    assert fix.evidence.text.startswith("vm_memory_high_watermark clear.")  # RabbitMQ 3.10
    [client] = doc.clients
    assert client.state == "unblocked"
    assert _cited(client.before_evidence)
    assert client.after_evidence is not None
    assert "unblocked the connection" in client.after_evidence.text
