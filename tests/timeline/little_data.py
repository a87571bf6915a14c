"""Hand-gathered bundles with little data, cut from the failure lab's real logs.

A customer who pastes only the broker's log and one hypervisor's log (maybe with one
``openstack server show``) gives the skew estimate no request id or client on an exact
clock to compare with. These bundles are made of the lab's recordings
(``fixtures/lab/<case>.tgz``, RabbitMQ 3.10.8 and oslo.messaging 18.3.1 run by
``tests/lab/driver.py``, see ``docs/lab.md``), under the names a customer would give them:

- ``rabbit.log``: the broker's ``rabbit@localhost.log`` as recorded (zoned, exact UTC);
- ``ostackhost.log``: the nova-compute log as recorded, every leading oslo.log timestamp
  moved by ``shift_s`` (the hypervisor's clock running fast), or only those before
  ``step_at`` (a clock that ran fast and was stepped back, by chrony say, at that moment);
- ``server_show_<name>.json`` (optional): ``openstack server show <name> -f json`` for a
  VM the compute host built. The lab collects ``server show`` only for BUILD/ERROR VMs,
  so this one is written in the shape of the lab's own (``server-show/<id>.json``): id,
  name, status and host from the recorded ``servers.json``, ``created`` from the
  recorded ``nova-api.log`` line "Create server <name>" cut to the second, which is how
  the lab's ``created`` relates to that line (lab-vm-004: 23:23:22Z for 23:23:22.494).

Nothing else is changed; no line is added or removed.
"""

from __future__ import annotations

import json
import re
import tarfile
from datetime import datetime, timedelta
from pathlib import Path

LAB = Path(__file__).resolve().parents[2] / "fixtures" / "lab"
OSLO_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})", re.MULTILINE)
FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def lab_file(case: str, name: str) -> str:
    """A recorded file of a lab bundle (path below the bundle's top folder)."""
    with tarfile.open(LAB / f"{case}.tgz") as tar:
        for member in tar.getmembers():
            if member.name.split("/", 1)[-1] == name:
                data = tar.extractfile(member)
                assert data is not None, member.name
                return data.read().decode("utf-8")
    raise KeyError(f"{case}: {name}")


def shifted(text: str, shift_s: float, step_at: datetime | None = None) -> str:
    """``text`` with each line's oslo.log timestamp moved by ``shift_s`` (only the lines
    written before ``step_at``, as recorded, when it is given)."""

    def move(match: re.Match[str]) -> str:
        at = datetime.strptime(match.group(1), FORMAT)
        if step_at is not None and at >= step_at:
            return match.group(1)
        return (at + timedelta(seconds=shift_s)).strftime(FORMAT)[:-3]

    return OSLO_TIME.sub(move, text)


def server_show(case: str, name: str) -> dict[str, object]:
    """``openstack server show <name> -f json`` for a VM of the lab run (see above)."""
    row = next(r for r in json.loads(lab_file(case, "openstack/servers.json")) if r["Name"] == name)
    api = re.search(
        r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.\d+ .* Create server " + re.escape(name) + "$",
        lab_file(case, "hosts/vm/nova-api.log"),
        re.MULTILINE,
    )
    assert api is not None, name
    created = f"{api.group(1)}T{api.group(2)}Z"
    return {
        "OS-EXT-AZ:availability_zone": row["Availability Zone"],
        "OS-EXT-SRV-ATTR:host": row["Host"],
        "OS-EXT-SRV-ATTR:hypervisor_hostname": row["Host"],
        "OS-EXT-STS:power_state": "Running",  # servers.json "Power State": 1
        "OS-EXT-STS:task_state": row["Task State"],
        "OS-EXT-STS:vm_state": str(row["Status"]).lower(),
        "addresses": {},
        "created": created,
        "flavor": row["Flavor"],
        "id": row["ID"],
        "image": row["Image Name"],
        "name": name,
        "project_id": row["Project ID"],
        "status": row["Status"],
        "updated": created,
        "user_id": row["Project ID"],  # the lab's one user and project: "admin"
    }


def little_bundle(
    out: Path,
    case: str,
    shift_s: float,
    *,
    step_at: datetime | None = None,
    show: str | None = None,
) -> Path:
    """A folder with ``rabbit.log``, ``ostackhost.log`` and, with ``show``, that VM's
    ``server show``; returns it."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "rabbit.log").write_text(lab_file(case, "hosts/vm/rabbit@localhost.log"))
    compute = lab_file(case, "hosts/vm/ostackhost.log")
    (out / "ostackhost.log").write_text(shifted(compute, shift_s, step_at))
    if show is not None:
        text = json.dumps(server_show(case, show), indent=2)
        (out / f"server_show_{show}.json").write_text(text + "\n")
    return out
