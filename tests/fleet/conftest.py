"""A generated fleet: 48 scenario bundles (eight scenarios, three seeds each) and two bad ones.

Built once per session; the expected class of every bundle comes from the scenario
registry, the region from the scenario's manifest (``REGIONS``; ``None`` for the
hand-made bundle, which has no manifest).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures.generate import SCENARIOS, build, tarball
from tests.fleet.helpers import run_fleet_cli

FLEET_SCENARIOS = (
    "selfhosted-broker-oom",
    "saas-hypervisor-only",
    "resource-exhaustion",
    "host-failure",
    "healthy",
    "selfhosted-memory-alarm",
    "old-incident",
    "handmade-renamed",
)
REGIONS: dict[str, str | None] = {
    "selfhosted-broker-oom": "pcd-region1",
    "saas-hypervisor-only": "acme-prod",
    "resource-exhaustion": "pcd-community-east",
    "host-failure": "pcd-region1",
    "healthy": "pcd-region1",
    "selfhosted-memory-alarm": "pcd-region2",
    "old-incident": "pcd-region1",
    "handmade-renamed": None,
}
SEEDS = 3
# Large enough that every scenario appears several times in both folders and both pools
# split the work; the throughput of big fleets is measured in benchmarks/, not here.
FLEET_SIZE = 50
BAD = {"bad-garbage": b"this is not a tar archive\n", "bad-empty": b""}


@dataclass
class Fleet:
    root: Path
    scenario: dict[str, str | None]  # bundle key -> scenario (None: a bad bundle)

    @property
    def size(self) -> int:
        return len(self.scenario)

    def classes(self) -> Counter[str]:
        return Counter(
            SCENARIOS[s].expected["class"] if s else "failed" for s in self.scenario.values()
        )

    def with_subcause(self, subcause: str) -> Counter[str]:
        """Bundles per region (``unknown`` for none) whose scenario has ``subcause``."""
        return Counter(
            REGIONS[s] or "unknown"
            for s in self.scenario.values()
            if s and subcause in SCENARIOS[s].expected["subcauses"]
        )


def make_fleet(root: Path, total: int) -> Fleet:
    """``total`` bundles in two folders (one nested), the last two of them bad."""
    scenario: dict[str, str | None] = {}
    built: dict[tuple[str, int], bytes] = {}
    for i in range(total - len(BAD)):
        name = FLEET_SCENARIOS[i % len(FLEET_SCENARIOS)]
        n = i // len(FLEET_SCENARIOS)
        seed = n % SEEDS  # beyond SEEDS a bundle is a copy under another name: cheaper to make
        if (name, seed) not in built:
            built[name, seed] = tarball(build(name, seed=seed), SCENARIOS[name].folder)
        folder = root / ("a" if i % 2 else "b/nested")
        folder.mkdir(parents=True, exist_ok=True)
        key = f"{name}-{n}"
        (folder / f"{key}.tgz").write_bytes(built[name, seed])
        scenario[key] = name
    for key, data in BAD.items():
        (root / "a" / f"{key}.tgz").write_bytes(data)
        scenario[key] = None
    return Fleet(root, scenario)


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    return make_fleet(tmp_path_factory.mktemp("fleet"), FLEET_SIZE)


@pytest.fixture(scope="session")
def fleet24(tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    return make_fleet(tmp_path_factory.mktemp("fleet24"), 24)


@pytest.fixture(scope="session")
def pool_run(fleet: Fleet, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The fleet through the local process pool, once per session."""
    out = tmp_path_factory.mktemp("pool") / "dataset"
    code, err = run_fleet_cli(str(fleet.root / "a"), str(fleet.root / "b"), "--out", str(out))
    assert code == 0, err
    return out, err
