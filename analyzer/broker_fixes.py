"""The change each broker sub-cause asks for, as commands with this deployment's names.

A restart alone does not fix a broker that runs out of memory or disk, refuses a login or
is split in two: each of these gives a :class:`~analyzer.document.Step` (a *fix*) run
before the restart, with the values it was built from as ``facts`` and the log line that
named them as ``evidence``. Every value from the bundle is quoted with :func:`shlex.quote`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

import pandas as pd

from analyzer import document as doc
from analyzer.broker_memory import MemoryPlan, memory_plan
from analyzer.finding_entries import evidence_entry
from analyzer.patterns import searched
from analyzer.rules.context import RuleContext, log_evidence

ROLLOUT_TIMEOUT = "300s"
# RabbitMQ's data directory in its official image and the Bitnami chart's
DATA_DIR = "/var/lib/rabbitmq"
# a floor well above RabbitMQ's 50 MB default, which leaves no time to react
DISK_FREE_LIMIT = "disk_free_limit.absolute = 2GB"

AUTH_USER = searched(r"login refused: user '|refused for user '")
_USER_RE = re.compile(r"(?:login refused: user|refused for user) '([^']{1,100})'")
PARTITION = searched(
    r"running_partitioned_network|Partial partition detected|partitioned network|"
    r"We saw DOWN from rabbit@"
)
_NODE_RE = re.compile(r"rabbit@([A-Za-z0-9][A-Za-z0-9_.-]{0,200}[A-Za-z0-9])")
# the far side as the logging node sees it (rabbit_node_monitor, mnesia):
#   * We saw DOWN from rabbit@rabbitmq-2.rabbitmq-nodes.pcd
#   {inconsistent_database, running_partitioned_network, 'rabbit@rabbitmq-2...'}
_FAR_RE = re.compile(
    r"(?:saw DOWN from |running_partitioned_network, ')rabbit@([A-Za-z0-9][A-Za-z0-9_.-]{0,200}"
    r"[A-Za-z0-9])"
)


@dataclass(frozen=True)
class Broker:
    """The broker pod the commands act on, as the bundle shows it."""

    namespace: str
    pod: str
    container: str | None
    owner: str | None  # Kind/name from ownerReferences or Controlled By
    memory_limit: str | None
    oomkilled: bool

    def exec(self, *command: str) -> str:
        c = f" -c {shlex.quote(self.container)}" if self.container else ""
        return f"{self.kubectl()} exec {shlex.quote(self.pod)}{c} -- {' '.join(command)}"

    def kubectl(self) -> str:
        return f"kubectl -n {shlex.quote(self.namespace)}"


def broker_of(ctx: RuleContext, brokers: list[str]) -> Broker:
    """The first broker pod, preferring the one that was OOMKilled or is not ready."""
    ns = ctx.inventory.namespace or "<namespace>"
    rows = ctx.broker_pods
    if rows.empty or not brokers:
        return Broker(ns, brokers[0] if brokers else "<broker-pod>", None, None, None, False)
    oom = (rows["last_reason"] == "OOMKilled") | (rows["reason"] == "OOMKilled")
    rows = rows.assign(_oom=oom.fillna(False), _ready=rows["ready"].fillna(False))
    rows = rows[rows["pod"].notna()]
    if rows.empty:
        return Broker(ns, brokers[0], None, None, None, False)
    row = rows.sort_values(["_oom", "_ready", "pod"], ascending=[False, True, True]).iloc[0]

    same_pod = (rows["pod"] == row["pod"]).to_numpy(dtype=bool)

    def cell(col: str) -> str | None:
        values = rows[col][same_pod].dropna()  # the column, then its rows: not every column
        return str(values.iloc[0]) if not values.empty else None

    return Broker(
        namespace=str(row["namespace"]) if pd.notna(row["namespace"]) else ns,
        pod=str(row["pod"]),
        container=cell("container"),
        owner=cell("owner"),
        memory_limit=cell("memory_limit"),
        oomkilled=bool(row["_oom"]),
    )


def controller(owner: str | None) -> tuple[str | None, str]:
    """The ``kind/name`` whose pod template holds the limit, and how it was found.

    A Deployment's pods are owned by a ReplicaSet named ``<deployment>-<pod-template-hash>``:
    the Deployment is that name without its last part.
    """
    if owner is None or "/" not in owner:
        return None, "unknown"
    kind, name = owner.split("/", 1)
    if kind == "StatefulSet":
        return f"statefulset/{name}", "owner"
    if kind == "ReplicaSet" and "-" in name:
        return f"deployment/{name.rsplit('-', 1)[0]}", "replicaset_owner"
    return None, "unsupported_owner"


def raise_memory_limit(ctx: RuleContext, broker: Broker) -> doc.Step:
    plan = memory_plan(ctx, broker.memory_limit, broker.oomkilled)
    target, basis = controller(broker.owner)
    k = broker.kubectl()
    commands: list[str] = []
    if target is None:
        # not in the bundle: the command that names it, not a guess
        commands.append(
            f"{k} get pod {shlex.quote(broker.pod)} -o jsonpath="
            "'{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}{\"\\n\"}'"
        )
    shown = shlex.quote(target) if target is not None else '"$owner"'
    container = f" -c {shlex.quote(broker.container)}" if broker.container else ""
    limit = plan.new_limit or "REPLACE-with-the-new-limit"
    commands += [
        f"{k} set resources {shown}{container} --limits=memory={shlex.quote(limit)}",
        f"{k} rollout status {shown} --timeout={ROLLOUT_TIMEOUT}",
    ]
    return doc.Step(
        key="raise_memory_limit",
        commands=commands,
        facts=_memory_facts(plan, broker, target, basis),
    )


def _memory_facts(
    plan: MemoryPlan, broker: Broker, target: str | None, basis: str
) -> dict[str, str]:
    facts = {
        "pod": broker.pod,
        "owner_basis": basis,
        "watermark": f"{plan.watermark:g}",
        "watermark_basis": plan.watermark_basis,
        "peak_basis": plan.peak_basis,
    }
    if target is not None:
        facts["owner"] = target
    if plan.current is not None:
        facts["current_limit"] = plan.current
    if plan.new_limit is not None:
        facts["new_limit"] = plan.new_limit
    if plan.peak_bytes is not None:
        facts["peak"] = f"{plan.peak_bytes / 1024**2:.0f} MiB"
    if plan.seen_total is not None:
        facts["seen_total"] = f"{plan.seen_total / 1024**2:.0f} MiB"
    return facts


def check_disk(broker: Broker) -> doc.Step:
    return doc.Step(
        key="check_disk",
        commands=[
            broker.exec("df", "-h", DATA_DIR),
            broker.exec("rabbitmq-diagnostics", "status"),
            f"{broker.kubectl()} get pvc -o wide",
        ],
        facts={"pod": broker.pod, "config": DISK_FREE_LIMIT},
    )


def check_credentials(ctx: RuleContext, broker: Broker) -> doc.Step:
    hits = ctx.logs(AUTH_USER, in_detail=True)
    text = hits["message"].astype(str) + " " + hits["detail"].fillna("").astype(str)
    users = text.str.extract(_USER_RE)[0] if not hits.empty else pd.Series(dtype=str)
    named = hits[users.notna()]
    user = str(users.dropna().iloc[-1]) if not named.empty else None
    # Both set first, so that a pasted block never runs with an empty user or password: a
    # placeholder fails loudly. The password is the one in the clients' transport_url (the
    # fix's words say where to read it).
    who = shlex.quote(user) if user is not None else "REPLACE-with-the-user-in-transport_url"
    commands = [
        f"user={who} password=REPLACE-with-the-password-in-transport_url",
        broker.exec("rabbitmqctl", "list_users"),
        broker.exec("rabbitmqctl", "list_user_permissions", '"$user"'),
        broker.exec("rabbitmqctl", "authenticate_user", '"$user"', '"$password"'),
        f"{broker.kubectl()} get secrets | grep -Ei 'rabbit|amqp'",
    ]
    facts = {"pod": broker.pod}
    if user is not None:
        facts["user"] = user
    return doc.Step(
        key="check_credentials",
        commands=commands,
        facts=facts,
        evidence=[evidence_entry(e) for e in log_evidence(named.tail(1), 1)],
    )


def restart_minority(ctx: RuleContext, broker: Broker, brokers: list[str]) -> doc.Step:
    hits = ctx.logs(PARTITION, in_detail=True)
    text = hits["message"].astype(str) + " " + hits["detail"].fillna("").astype(str)
    named = sorted({n for found in text.str.findall(_NODE_RE) for n in found})
    far = {n for found in text.str.findall(_FAR_RE) for n in found}
    reporters = {str(h) for h in hits["host"].dropna()}
    # rabbit@rabbitmq-2.rabbitmq-nodes.pcd runs in pod rabbitmq-2
    pods = sorted({n.split(".", 1)[0] for n in far} & set(brokers) - reporters)
    # the far side is the smaller one when it holds fewer than half of the cluster's pods
    minority = pods if pods and 2 * len(pods) < len(brokers) else []
    listed = " ".join(shlex.quote(p) for p in minority) or "REPLACE-with-the-minority-pods"
    k = broker.kubectl()
    commands = [
        broker.exec("rabbitmq-diagnostics", "cluster_status"),
        "\n".join(
            [
                f"for pod in {listed}; do",
                f'  {k} delete pod "$pod"',
                f'  {k} wait --for=condition=Ready pod/"$pod" --timeout={ROLLOUT_TIMEOUT}',
                "done",
            ]
        ),
    ]
    facts = {"pod": broker.pod}
    if named:
        facts["nodes"] = ", ".join(f"rabbit@{n}" for n in named)
    if minority:
        facts["minority"] = ", ".join(minority)
    return doc.Step(
        key="restart_minority",
        commands=commands,
        facts=facts,
        evidence=[evidence_entry(e) for e in log_evidence(hits, 2)],
    )
