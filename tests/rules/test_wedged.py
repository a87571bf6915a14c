"""The wedged compute host beside the other service rules: the lag of its last update, and
a host that is down (not wedged) or quiet with its peers."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.analysis import analyse
from analyzer.document import AnalysisDocument
from analyzer.rules import RULES
from analyzer.rules.samples import SERVICES, service
from fixtures.generate import SCENARIOS, write_directory
from reports.render import render_markdown
from tests.rules.test_rules import write


def run(tmp: Path, files: dict[str, object]) -> AnalysisDocument:
    doc, _frames, _inv = analyse([write(tmp, files)])
    return doc


def wedged(doc: AnalysisDocument) -> dict[str, object] | None:
    found = [f for f in doc.findings if f.key == "wedged_compute_host"]
    return dict(found[0].facts) if found else None


def services(hv01_updated: str) -> dict[str, object]:
    return {
        SERVICES: [
            service("up", "hv-01", ident=7, updated=hv01_updated),
            service("up", "hv-02", ident=8, updated="2026-03-02T09:30:41.000000"),
            service("up", "hv-03", ident=9, updated="2026-03-02T09:30:37.000000"),
        ]
    }


def test_an_update_lagging_its_peers_beyond_the_down_window_is_wedged(tmp_path: Path) -> None:
    doc = run(tmp_path, services("2026-03-02T09:27:55.000000"))
    facts = wedged(doc)
    assert facts is not None
    assert facts["hosts"] == ["hv-01"]
    assert facts["lag_s"] == 166.0
    row = next(r for r in doc.symptoms if r.key == "services_up")
    assert row.observed == "Yes, but 1 of the 3 compute hosts up has stopped working (wedged)"
    assert [str(m) for m in row.matches] == ["host_failure"]
    md = render_markdown(doc)
    assert "- hv-01 reads up in the compute service list but has stopped working" in md
    assert "trails its peers' by 2 min" in md


def test_an_update_within_the_report_interval_is_not(tmp_path: Path) -> None:
    # nova-compute reports every 10 s by default: peers a few seconds apart are all current
    assert wedged(run(tmp_path, services("2026-03-02T09:30:33.000000"))) is None


def test_a_host_that_reads_down_is_not_called_wedged(tmp_path: Path) -> None:
    files = services("2026-03-02T09:27:55.000000")
    rows = files[SERVICES]
    assert isinstance(rows, list)
    rows[0] = service("down", "hv-01", ident=7, updated="2026-03-02T09:27:55.000000")
    assert wedged(run(tmp_path, files)) is None


@pytest.mark.parametrize("name", ["wedged-host", "near-miss-quiet-hosts"])
def test_generated_region_with_one_host_silent_and_all_hosts_quiet(
    tmp_path: Path, name: str
) -> None:
    # realistic noise from the scenario generator (fixtures/scenarios/wedged_host.py)
    expected = SCENARIOS[name].expected
    doc, _frames, _inv = analyse([write_directory(name, tmp_path)])
    assert doc.verdict.cls == expected["class"]
    assert doc.verdict.subcauses == expected["subcauses"]


def test_a_log_of_unknown_zone_is_not_judged_silent(tmp_path: Path) -> None:
    # without its clock.json, hv-01's zone-less lines are read as UTC: a host in UTC-5
    # would look five hours silent, so its silence proves nothing
    rule = next(r for r in RULES if r.key == "wedged_compute_host")
    files = {k: v for k, v in rule.samples.fires.items() if k != "hosts/hv-01/clock.json"}
    assert wedged(run(tmp_path, files)) is None


def _periodic_log(until_minute: int) -> str:
    # oslo.service's periodic-task line (github.com/openstack/oslo.service,
    # oslo_service/periodic_task.py) as a PF9 hypervisor logs it at DEBUG: routine records
    # that a log of 512 KiB or more folds into per-minute counts
    line = (
        "2026-03-02 {t}.{ms:03d} 2817 DEBUG oslo_service.periodic_task [None "
        "req-43e13746-caa1-4bdd-bfc9-cad8727383cd - - - - - -] Running periodic task "
        "ComputeManager._poll_rebooting_instances run_periodic_tasks /opt/pf9/venv/lib/"
        "python3.9/site-packages/oslo_service/periodic_task.py:210\n"
    )
    out = []
    for minute in range(until_minute - 59, until_minute + 1):
        for second in range(0, 60, 1):
            t = f"{8 + (minute // 60):02d}:{minute % 60:02d}:{second:02d}"
            out.append(line.format(t=t, ms=second * 7))
    return "".join(out)


def test_a_folded_log_cites_its_last_counted_minute(tmp_path: Path) -> None:
    rule = next(r for r in RULES if r.key == "wedged_compute_host")
    files = dict(rule.samples.fires)
    files["hosts/hv-01/ostackhost.log"] = _periodic_log(64)  # until 09:04:59
    files["hosts/hv-02/ostackhost.log"] = _periodic_log(90)  # until 09:30:59
    assert len(str(files["hosts/hv-01/ostackhost.log"])) >= 512 * 1024
    doc = run(tmp_path, files)
    facts = wedged(doc)
    assert facts is not None
    assert facts["last_line_at"] == "2026-03-02T09:04:59.413000Z"
    finding = next(f for f in doc.findings if f.key == "wedged_compute_host")
    cited = finding.evidence[-1]
    assert cited.file == "hosts/hv-01/ostackhost.log"
    assert "routine DEBUG records counted in the minute of 2026-03-02T09:04:00Z" in cited.text
