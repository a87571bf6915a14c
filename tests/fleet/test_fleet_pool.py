"""`analyze fleet` over a generated fleet in the local process pool, read back with DuckDB.

The run happens once for the session; each test reads the dataset it left. The README's queries are taken from README.md itself, so they cannot
drift from what is tested.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from analyzer.fleet.tables import TABLES
from tests.fleet.conftest import BAD, FLEET_SIZE, Fleet
from tests.fleet.helpers import class_counts, query, readme_queries, table

pytestmark = pytest.mark.slow


def test_every_bundle_has_a_verdict_and_the_classes_add_up(
    fleet: Fleet, pool_run: tuple[Path, str]
) -> None:
    dataset, _err = pool_run
    assert fleet.size == FLEET_SIZE
    assert class_counts(dataset) == fleet.classes()
    bundles = {b for (b,) in query(f"SELECT bundle FROM {table(dataset, 'verdicts')}")}
    assert bundles == set(fleet.scenario)


def test_bad_bundles_are_failed_rows_not_fatal(pool_run: tuple[Path, str]) -> None:
    dataset, err = pool_run
    rows = query(
        f"SELECT bundle, error FROM {table(dataset, 'verdicts')} WHERE status = 'failed' "
        "ORDER BY bundle"
    )
    assert [b for b, _ in rows] == sorted(BAD)
    assert all(e and "\n" not in e for _, e in rows)
    for key in BAD:
        assert f"{key}: failed: " in err
    assert "Traceback" not in err


def test_every_table_has_a_partition_per_bundle(fleet: Fleet, pool_run: tuple[Path, str]) -> None:
    dataset, _err = pool_run
    for name, schema in TABLES.items():
        folders = {p.name.removeprefix("bundle=") for p in (dataset / name).iterdir()}
        assert folders == set(fleet.scenario), name
        columns = [c for (c, *_rest) in query(f"DESCRIBE SELECT * FROM {table(dataset, name)}")]
        assert columns == [*schema.names, "bundle"], name


def test_rows_agree_with_the_scenarios(fleet: Fleet, pool_run: tuple[Path, str]) -> None:
    dataset, _err = pool_run
    oom = {k for k, s in fleet.scenario.items() if s == "selfhosted-broker-oom"}
    findings = query(
        f"SELECT DISTINCT bundle FROM {table(dataset, 'findings')} "
        "WHERE key = 'broker_pod_oomkilled' AND current"
    )
    assert oom <= {b for (b,) in findings}
    stuck = dict(query(f"SELECT bundle, count(*) FROM {table(dataset, 'stuck_vms')} GROUP BY ALL"))
    assert all(stuck.get(k, 0) > 0 for k in oom)
    pods = {b for (b,) in query(f"SELECT DISTINCT bundle FROM {table(dataset, 'pods')}")}
    assert oom <= pods
    assert not {k for k, s in fleet.scenario.items() if s == "saas-hypervisor-only"} & pods
    services = query(f"SELECT count(DISTINCT bundle) FROM {table(dataset, 'services')}")
    assert services[0][0] > 0
    events = query(
        f"SELECT count(DISTINCT bundle) FROM {table(dataset, 'timeline')} WHERE event = 'onset'"
    )
    assert events[0][0] >= len(oom)


def test_readme_queries_return_the_expected_counts(
    fleet: Fleet, pool_run: tuple[Path, str]
) -> None:
    dataset, _err = pool_run
    queries = readme_queries()
    assert set(queries) == {
        "verdict counts",
        "regions with broker OOM kills",
        "messaging-layer failures per ISO week",
        "stuck VMs by verdict",
        "bundles that could not be analysed",
    }

    def run(name: str) -> list[tuple[object, ...]]:
        return query(queries[name].replace("'fleet/", f"'{dataset}/"))

    classes = fleet.classes()
    assert dict(run("verdict counts")) == dict(classes)
    assert [n for _, n in run("verdict counts")] == sorted(classes.values(), reverse=True)
    assert dict(run("regions with broker OOM kills")) == dict(
        fleet.with_subcause("broker_pod_oomkilled")
    )
    weeks = dict(run("messaging-layer failures per ISO week"))
    assert sum(weeks.values()) == classes["messaging_layer_failure"]
    assert set(weeks) <= {"2026-W10", "2026-W11"}
    stuck = dict(run("stuck VMs by verdict"))
    assert stuck.get("messaging_layer_failure", 0) > 0
    assert stuck.get("resource_exhaustion", 0) == 0  # fails fast: nothing stuck
    assert [b for b, _ in run("bundles that could not be analysed")] == sorted(BAD)


def test_summary_matches_the_dataset(fleet: Fleet, pool_run: tuple[Path, str]) -> None:
    dataset, err = pool_run
    summary = json.loads((dataset / "summary.json").read_text(encoding="utf-8"))
    assert summary["bundles"] == FLEET_SIZE
    assert summary["failed"] == len(BAD)
    assert {v["class"]: v["bundles"] for v in summary["verdicts"]} == dict(fleet.classes())
    by_region = Counter({g["name"] or "unknown": g["bundles"] for g in summary["regions"]})
    assert sum(by_region.values()) == FLEET_SIZE
    assert {f["bundle"] for f in summary["failures"]} == set(BAD)
    md = (dataset / "summary.md").read_text(encoding="utf-8")
    assert "| Messaging layer failure |" in md
    assert f"{FLEET_SIZE} bundles: {FLEET_SIZE - 2} analysed, 2 failed" in md
    html = (dataset / "summary.html").read_text(encoding="utf-8")
    assert "<script" not in html
    assert f"{FLEET_SIZE} bundles (2 failed)" in err
