"""The shell snippets of the recovery: a test VM that proves creates work again, and the
clean-up of the stuck VMs as one loop.

Both are pasted into an interactive shell, so neither calls ``exit`` (it would close the
user's terminal): the last command's status says whether it worked. Every value taken
from the bundle is quoted with :func:`shlex.quote`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import pandas as pd

TEST_VM = "pcd-create-check"
POLL_SECONDS = 10
POLL_TRIES = 30  # 30 x 10 s: a small VM that is not ACTIVE in five minutes is a failure
PLACEHOLDER = "REPLACE-with-a-{what}-from-openstack-{what}-list"


@dataclass(frozen=True)
class CheckVm:
    flavor: str | None
    image: str | None
    network: str | None


def check_vm_of(servers: pd.DataFrame) -> CheckVm:
    """Flavor, image and network of the newest ACTIVE server that names all three (they are
    known to work in this region), else the most common value of each among all servers."""
    if servers.empty:
        return CheckVm(None, None, None)
    cols = ["flavor", "image", "network"]
    is_active = servers["status"].fillna("").str.upper() == "ACTIVE"
    active = servers[[*cols, "created_at"]][is_active]  # (the other columns are not read)
    complete = active.dropna(subset=cols)
    if not complete.empty:
        row = complete.sort_values("created_at", na_position="first").iloc[-1]
        return CheckVm(str(row["flavor"]), str(row["image"]), str(row["network"]))
    values = [servers[c].dropna().astype(str) for c in cols]
    common = [str(v.mode().iloc[0]) if not v.empty else None for v in values]
    return CheckVm(*common)


def verify_create(vm: CheckVm) -> str:
    """Create one small VM, wait (bounded) while it is BUILD, delete it; ACTIVE or not."""

    def value(v: str | None, what: str) -> str:
        return shlex.quote(v) if v is not None else shlex.quote(PLACEHOLDER.format(what=what))

    return "\n".join(
        [
            f"flavor={value(vm.flavor, 'flavor')} image={value(vm.image, 'image')}"
            f" network={value(vm.network, 'network')}",
            f'id=$(openstack server create --flavor "$flavor" --image "$image"'
            f' --network "$network" -f value -c id {TEST_VM})',
            "status=BUILD",
            f"for try in $(seq {POLL_TRIES}); do",
            '  status=$(openstack server show "$id" -f value -c status)',
            '  [ "$status" = BUILD ] || break',
            f'  sleep "${{POLL_SECONDS:-{POLL_SECONDS}}}"',
            "done",
            'echo "test VM $id: $status"',
            '[ -n "$id" ] && openstack server delete "$id"',
            '[ "$status" = ACTIVE ]',
        ]
    )


def cleanup_loop(ids: list[str]) -> str | None:
    """Reset each stuck VM to error and delete it: one loop over the real IDs."""
    if not ids:
        return None
    listed = " \\\n".join(f"    {shlex.quote(i)}" for i in ids)
    return "\n".join(
        [
            f"for id in \\\n{listed}; do",
            '  pcdctl server set --state error "$id"',
            '  pcdctl server delete "$id"',
            "done",
        ]
    )
