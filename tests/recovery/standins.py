"""Stand-in ``kubectl``, ``openstack`` and ``pcdctl``: small scripts put first on PATH that
record their argv and print what the real tools print on success.

Outputs (the real tools' words):
- ``kubectl set resources``: "statefulset.apps/rabbitmq resource requirements updated"
  (kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/cmd/set/set_resources.go prints
  "<kind>.<group>/<name> resource requirements updated"; the Deployment guide of
  kubernetes/website shows "deployment.apps/nginx-deployment resource requirements updated")
- ``kubectl rollout status statefulset/...``: "statefulset rolling update complete 1 pods at
  revision rabbitmq-5d8f7c9b6..." (kubectl's rollout status for StatefulSets, as the
  ZooKeeper tutorial of kubernetes/website shows it)
- ``kubectl delete pod``: 'pod "rabbitmq-0" deleted'; ``kubectl wait``:
  "pod/rabbitmq-0 condition met"
- ``openstack server create -f value -c id``: the new server's ID alone;
  ``openstack server show -f value -c status``: the status alone (BUILD, ACTIVE, ERROR);
  ``server delete`` and ``pcdctl server set/delete`` print nothing on success
  (python-openstackclient).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

TEST_VM_ID = "0c7f1a52-9d4e-4b8a-a3f6-2e5d8c1b7a90"

_RECORD = """\
{ printf '%s' "$(basename "$0")"; printf '\\t%s' "$@"; printf '\\n'; } >> "$STANDIN_LOG"
"""

KUBECTL = (
    "#!/bin/bash\n"
    + _RECORD
    + """\
args=("$@")
[ "${args[0]}" = -n ] && args=("${args[@]:2}")
case "${args[0]} ${args[1]}" in
  "set resources") echo "statefulset.apps/${args[2]#*/} resource requirements updated" ;;
  "rollout status")
    echo "statefulset rolling update complete 1 pods at revision ${args[2]#*/}-5d8f7c9b6..." ;;
  "delete pod") echo "pod \\"${args[2]}\\" deleted" ;;
  "get pod") echo "StatefulSet/rabbitmq" ;;
  wait*) echo "${args[2]} condition met" ;;
esac
exit 0
"""
)

OPENSTACK = (
    "#!/bin/bash\n"
    + _RECORD
    + """\
case "$1 $2" in
  "server create") echo "$STANDIN_VM_ID" ;;
  "server show")
    polls=$(( $(cat "$STANDIN_DIR/polls" 2>/dev/null || echo 0) + 1 ))
    echo "$polls" > "$STANDIN_DIR/polls"
    if [ "$polls" -gt "$STANDIN_BUILD_POLLS" ]; then echo "$STANDIN_FINAL"; else echo BUILD; fi ;;
esac
exit 0
"""
)

PCDCTL = "#!/bin/bash\n" + _RECORD + "exit 0\n"


@dataclass
class Run:
    status: int
    stdout: str
    calls: list[list[str]]  # argv of every stand-in call, the tool's name first


class StandIns:
    def __init__(self, root: Path, *, build_polls: int = 2, final: str = "ACTIVE") -> None:
        self.bin = root / "bin"
        self.bin.mkdir(parents=True)
        self.log = root / "calls.log"
        self.root = root
        for name, script in (("kubectl", KUBECTL), ("openstack", OPENSTACK), ("pcdctl", PCDCTL)):
            path = self.bin / name
            path.write_text(script)
            path.chmod(0o755)
        self.env = {
            "PATH": f"{self.bin}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "STANDIN_LOG": str(self.log),
            "STANDIN_DIR": str(root),
            "STANDIN_VM_ID": TEST_VM_ID,
            "STANDIN_BUILD_POLLS": str(build_polls),
            "STANDIN_FINAL": final,
            "POLL_SECONDS": "0.01",
        }

    def run(self, script: str, timeout: float = 20) -> Run:
        self.log.write_text("")
        (self.root / "polls").unlink(missing_ok=True)
        done = subprocess.run(
            ["bash", "-c", script],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        calls = [line.split("\t") for line in self.log.read_text().splitlines()]
        return Run(done.returncode, done.stdout, calls)


def syntax_ok(script: str) -> bool:
    return (
        subprocess.run(["bash", "-n", "-c", script], capture_output=True, check=False).returncode
        == 0
    )
