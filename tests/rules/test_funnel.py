"""The NoValidHost funnel between rules: which stage wins, what yields, what the report says.

Each stage's own firing and near-miss samples live on its rule; these are the cases where
the stages, ``no_valid_host``, the service rules and the report meet.
"""

from __future__ import annotations

import json
from pathlib import Path

from analyzer.analysis import analyse
from analyzer.document import AnalysisDocument
from analyzer.rules import RULES
from analyzer.rules.samples import (
    CONDUCTOR_LOG,
    HV_LOG,
    IMPL,
    SCHEDULER_LOG,
    SERVICES,
    SHOW,
    VM,
    oslo,
    pod_oslo,
    server,
    service,
)
from reports.render import render_html, render_markdown
from tests.rules.test_rules import write


def samples(key: str) -> dict[str, object]:
    return dict(next(r for r in RULES if r.key == key).samples.fires)


def run(tmp: Path, files: dict[str, object]) -> AnalysisDocument:
    doc, _frames, _inv = analyse([write(tmp, files)])
    return doc


def keys(doc: AnalysisDocument) -> set[str]:
    return {f.key for f in doc.findings}


def error_row(doc: AnalysisDocument) -> tuple[str, list[str]]:
    row = next(r for r in doc.symptoms if r.key == "error_message")
    return row.observed, [str(m) for m in row.matches]


def test_every_host_down_turns_no_valid_host_into_a_host_failure(tmp_path: Path) -> None:
    doc = run(tmp_path, samples("filters_hosts_down"))
    assert doc.verdict.cls == "host_failure"
    assert "no_valid_host" not in keys(doc), "the capacity reading yields to the host stage"
    assert {"filters_hosts_down", "compute_service_down"} <= set(doc.verdict.subcauses)
    observed, matches = error_row(doc)
    assert matches == ["host_failure"]
    assert observed.startswith("No valid host was found, but every compute host is down")


def test_placement_without_candidates_keeps_it_capacity_even_with_a_host_down(
    tmp_path: Path,
) -> None:
    files = samples("filters_hosts_down")
    files[SCHEDULER_LOG] = str(files[SCHEDULER_LOG]) + pod_oslo(
        "09:20:02",
        "INFO",
        "nova.scheduler.manager",
        "Got no allocation candidates from the Placement API. This could be due to "
        "insufficient resources or a temporary occurrence as compute nodes start up.",
    )
    doc = run(tmp_path, files)
    assert {"no_valid_host", "placement_no_candidates"} <= keys(doc)
    assert "resource_exhaustion" in [str(m) for m in error_row(doc)[1]]


def test_every_service_down_at_once_is_not_read_as_dead_hosts(tmp_path: Path) -> None:
    files = samples("filters_hosts_down")
    files[SERVICES] = [
        service("down", "ctl-1", "nova-conductor", 2, "2026-03-02T09:12:44.000000"),
        service("down", "ctl-1", "nova-scheduler", 5, "2026-03-02T09:12:41.000000"),
        service("down", "hv-01", "nova-compute", 7, "2026-03-02T09:12:39.000000"),
    ]
    del files[SCHEDULER_LOG]
    doc = run(tmp_path, files)
    assert "control_plane_down" in keys(doc)
    assert "filters_hosts_down" not in keys(doc)


def test_a_filter_that_is_not_about_hosts_stays_capacity(tmp_path: Path) -> None:
    # an aggregate that no host matches (nova/filters.py's count): configuration or room
    files = samples("filters_hosts_down")
    files[SERVICES] = [service("up", "hv-01"), service("up", "hv-02", ident=8)]
    files[SCHEDULER_LOG] = pod_oslo(
        "09:20:01",
        "INFO",
        "nova.filters",
        "Filter AggregateInstanceExtraSpecsFilter returned 0 hosts",
    )
    doc = run(tmp_path, files)
    assert doc.verdict.cls == "resource_exhaustion"
    assert "filters_hosts_down" not in keys(doc)


def test_exhausted_retries_cite_the_last_hosts_own_error_first(tmp_path: Path) -> None:
    doc = run(tmp_path, samples("reschedules_exhausted"))
    assert doc.verdict.cls == "host_failure"
    finding = next(f for f in doc.findings if f.key == "reschedules_exhausted")
    assert finding.facts["last_hosts"] == ["hv-01"]
    assert finding.facts["reason"] == "internal error: qemu unexpectedly closed the monitor"
    assert "Error from last host: hv-01" in finding.evidence[0].text
    assert error_row(doc)[1] == ["host_failure"]


def test_legacy_max_attempts_fault_is_a_host_stage_not_capacity(tmp_path: Path) -> None:
    # the fault as OpenStackCookbook/OpenStackCookbook issue 66 pasted it (nova before Pike)
    message = (
        f"No valid host was found. Exceeded max scheduling attempts 3 for instance {VM}. "
        f"Last exception: [u'Traceback (most recent call last):\\n', u'  File \"/usr/lib/"
        f'python2.7/dist-packages/nova/compute/manager.py", line 2235, in _do_build_and_run_'
        f"instance\\n']"
    )
    fault = {"code": 500, "created": "2026-03-02T09:20:03Z", "message": message}
    doc = run(tmp_path, {SHOW: server("ERROR", "2026-03-02T09:20:00Z", fault=fault)})
    assert "reschedules_exhausted" in keys(doc)
    assert "no_valid_host" not in keys(doc)
    assert doc.verdict.cls == "host_failure"


def test_the_report_says_why_not_capacity_in_words(tmp_path: Path) -> None:
    doc = run(tmp_path, samples("reschedules_exhausted"))
    md = render_markdown(doc)
    section = md.split("### What argued against the other explanations", 1)[1]
    assert section.lstrip().startswith(
        "- No valid host was found, but only after the last host (hv-01) failed to spawn the "
        "guest: this is a host failure, not capacity."
    )
    assert "| Error message | No valid host was found, but only after" in section


def test_the_report_says_why_not_hosts_when_every_compute_is_down(tmp_path: Path) -> None:
    md = render_markdown(run(tmp_path, samples("filters_hosts_down")))
    assert (
        "- No valid host was found because every compute host is down or not reporting "
        "(hv-01): the hosts, not capacity." in md
    )


def test_computes_that_lost_the_broker_together_are_not_called_dead_hosts(
    tmp_path: Path,
) -> None:
    # three computes stopped reporting within seconds, the controllers still up, and the
    # hypervisor says why: the broker is unreachable. Not capacity, and not three dead hosts.
    files = samples("filters_hosts_down")
    files[SERVICES] = [
        service("up", "ctl-1", "nova-conductor", 2),
        service("up", "ctl-1", "nova-scheduler", 5),
        service("down", "hv-01", "nova-compute", 7, "2026-03-02T09:12:39.000000"),
        service("down", "hv-02", "nova-compute", 8, "2026-03-02T09:12:44.000000"),
        service("down", "hv-03", "nova-compute", 9, "2026-03-02T09:12:46.000000"),
    ]
    files[HV_LOG] = oslo(
        "09:12:40",
        "ERROR",
        IMPL,
        "[c1] AMQP server on 10.0.0.9:5672 is unreachable: timed out. Trying again in 1 seconds.",
    )
    doc = run(tmp_path, files)
    assert "no_valid_host" not in keys(doc)
    stage = next(f for f in doc.findings if f.key == "filters_hosts_down")
    assert stage.strength == 0.1
    assert doc.verdict.cls == "messaging_layer_failure"


RETRIES_VM = "1451041c-da04-478c-93dd-0acb60dd149a"


def retries_show() -> dict[str, object]:
    """The fault of github.com/elasticluster/elasticluster/issues/660 (pasted there from
    `nova show`), in the JSON of `openstack server show -f json`."""
    vm = RETRIES_VM
    return {
        "id": vm,
        "name": "test-vm",
        "status": "ERROR",
        "OS-EXT-STS:task_state": None,
        "OS-EXT-STS:vm_state": "error",
        "created": "2019-08-19T12:54:30Z",
        "updated": "2019-08-19T12:54:37Z",
        "fault": {
            "message": "Exceeded maximum number of retries. Exhausted all hosts available for "
            f"retrying build failures for instance {vm}.",
            "code": 500,
            "details": '  File "/usr/lib/python2.7/site-packages/nova/conductor/manager.py", '
            "line 627, in build_instances\n    raise exception.MaxRetriesExceeded(reason=msg)\n",
            "created": "2019-08-19T12:54:37Z",
        },
    }


# /var/log/nova/nova-compute.log as pasted in the same issue (the reporter's indentation
# removed): written in local time, three hours ahead of the fault's UTC, with no zone
LOCAL_COMPUTE_LOG = "".join(
    f"2019-08-19 15:54:35.251 1437 ERROR nova.compute.manager [instance: {RETRIES_VM}] {text}\n"
    for text in (
        '  File "/usr/lib/python2.7/site-packages/nova/virt/libvirt/driver.py", line 3167, '
        "in spawn",
        "    mdevs=mdevs)",
        '  File "/usr/lib/python2.7/site-packages/nova/virt/libvirt/driver.py", line 5498, '
        "in _get_guest_xml",
        "    network_info_str = str(network_info)",
    )
)


def test_hand_gathered_max_retries_fault_alone(tmp_path: Path) -> None:
    # no manifest, the customer's own file name
    (tmp_path / "server_show.json").write_text(json.dumps(retries_show()))
    doc, _frames, _inv = analyse([tmp_path])
    assert doc.verdict.cls == "host_failure"
    assert doc.verdict.subcauses == ["reschedules_exhausted"]


def test_a_compute_log_in_local_time_does_not_age_the_fault(tmp_path: Path) -> None:
    """The compute log's zone-less 15:54 is 12:54 UTC: read as UTC it would put the
    collection three hours after the fault and leave it as history. The fault's own UTC
    times set the collection time instead."""
    (tmp_path / "server_show.json").write_text(json.dumps(retries_show()))
    (tmp_path / "nova-compute.log").write_text(LOCAL_COMPUTE_LOG)
    doc, _frames, _inv = analyse([tmp_path])
    assert doc.collected_at == "2019-08-19T12:54:37Z"
    assert doc.collected_at_basis == "newest-data"
    assert doc.verdict.cls == "host_failure"
    assert doc.verdict.subcauses == ["reschedules_exhausted"]


def test_near_miss_the_local_compute_log_alone_says_its_clock_is_local(tmp_path: Path) -> None:
    (tmp_path / "nova-compute.log").write_text(LOCAL_COMPUTE_LOG)
    doc, _frames, _inv = analyse([tmp_path])
    assert doc.collected_at == "2019-08-19T15:54:35.251000Z"
    assert doc.collected_at_basis == "newest-local-time"


def test_a_host_name_from_the_logs_reaches_the_report_escaped(tmp_path: Path) -> None:
    # the last host is read from log text: untrusted, in the rebuttal as anywhere else
    files = samples("reschedules_exhausted")
    files[CONDUCTOR_LOG] = str(files[CONDUCTOR_LOG]).replace(
        "Error from last host: hv-01 ", "Error from last host: <img/src=x/onerror=alert(1)> "
    )
    doc = run(tmp_path, files)
    finding = next(f for f in doc.findings if f.key == "reschedules_exhausted")
    assert finding.facts["last_hosts"] == ["<img/src=x/onerror=alert(1)>"]
    html = render_html(doc)
    assert "<img/src=x" not in html
    assert "the last host (&lt;img/src=x/onerror=alert(1)&gt;) failed to spawn" in html


def test_the_filters_summary_and_the_servicegroup_say_it_without_a_service_list(
    tmp_path: Path,
) -> None:
    # nova/filters.py's summary and nova/servicegroup/drivers/db.py's debug line
    # (github.com/openstack/nova), no `compute service list` in the bundle
    files = samples("filters_hosts_down")
    del files[SERVICES]
    files[SCHEDULER_LOG] = "".join(
        pod_oslo(
            "09:20:01",
            "DEBUG",
            "nova.servicegroup.drivers.db",
            f"Seems service nova-compute on host {host} is down. Last heartbeat was "
            "2026-03-02 09:02:11. Elapsed time is 1070.331",
        )
        for host in ("hv-01", "hv-02")
    ) + pod_oslo(
        "09:20:01",
        "INFO",
        "nova.filters",
        f"Filtering removed all hosts for the request with instance ID '{VM}'. Filter results: "
        "['AvailabilityZoneFilter: (start: 2, end: 2)', 'ComputeFilter: (start: 2, end: 0)']",
    )
    doc = run(tmp_path, files)
    stage = next(f for f in doc.findings if f.key == "filters_hosts_down")
    assert stage.facts["hosts_down"] == ["hv-01", "hv-02"]
    assert doc.verdict.cls == "host_failure"


# A zh_CN deployment's scheduler and conductor, pasted in a Chinese install diary kept on
# GitHub (OpenStack Rocky, September 2021): nova translates NoValidHost's message, never
# the exception's name.
LOCALISED_UNHEARD = (
    "2021-09-17 23:48:48.256 2570 WARNING nova.scheduler.filters.compute_filter "
    "[req-ba7cca9e-6c0d-4a8e-b657-60673456a472 9942eb4321644336a0c7383d9f1c2bed "
    "a7d812868cb74f1a978035530f55f1d0 - default default] (localhost.localdomain, "
    "localhost.localdomain) ram: 3258MB disk: 32768MB io_ops: 0 instances: 0 has not been "
    "heard from in a while\n"
    "2021-09-17 23:48:48.263 2570 INFO nova.filters [req-ba7cca9e-6c0d-4a8e-b657-60673456a472 "
    "9942eb4321644336a0c7383d9f1c2bed a7d812868cb74f1a978035530f55f1d0 - default default] "
    "Filter ComputeFilter returned 0 hosts\n"
)
LOCALISED_NVH = (
    "2021-09-17 23:48:48.417 2369 WARNING nova.scheduler.utils "
    "[req-ba7cca9e-6c0d-4a8e-b657-60673456a472 9942eb4321644336a0c7383d9f1c2bed "
    "a7d812868cb74f1a978035530f55f1d0 - default default] [instance: "
    "4f75fd35-c53c-4feb-90bf-391996dee667] Setting instance to ERROR state.: "
    "NoValidHost_Remote: \\u627e\\u4e0d\\u5230\\u6709\\u6548\\u4e3b\\u673a\\uff0c\\u539f\\u56e0"
    "\\u662f \\u6ca1\\u6709\\u8db3\\u591f\\u7684\\u4e3b\\u673a\\u53ef\\u7528\\u3002\\u3002\n"
)
# the same conductor's traceback names the exception only where it is raised
LOCALISED_RAISE = (
    "2021-09-17 23:48:48.310 2369 ERROR nova.conductor.manager     "
    "raise exception.NoValidHost(reason=reason)\n"
)


def pasted(tmp: Path, files: dict[str, str]) -> AnalysisDocument:
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
    doc, _frames, _inv = analyse([tmp])
    return doc


def test_a_translated_no_valid_host_is_known_by_the_exceptions_name(tmp_path: Path) -> None:
    doc = pasted(
        tmp_path,
        {"nova-scheduler.log": LOCALISED_UNHEARD, "nova-conductor.log": LOCALISED_NVH},
    )
    assert doc.verdict.cls == "host_failure"
    assert "filters_hosts_down" in doc.verdict.subcauses


def test_near_miss_the_exception_raised_in_a_traceback_is_not_a_no_valid_host(
    tmp_path: Path,
) -> None:
    doc = pasted(
        tmp_path,
        {"nova-scheduler.log": LOCALISED_UNHEARD, "nova-conductor.log": LOCALISED_RAISE},
    )
    assert "filters_hosts_down" not in keys(doc)
