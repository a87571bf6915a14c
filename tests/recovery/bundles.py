"""Small Self-Hosted bundles with broker pods and one broker log, built like the rules'
samples (``analyzer.rules.samples``), for the fixes of the sub-causes no shipped fixture has."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analyzer.analysis import analyse
from analyzer.document import AnalysisDocument, to_builtins

RABBIT = "kubernetes/logs/rabbitmq-0/rabbitmq.log"


def rabbit_line(time: str, level: str, message: str) -> str:
    # RabbitMQ 3.9+ behind `kubectl logs --timestamps`, as analyzer.rules.samples writes it
    return (
        f"2026-03-02T{time}.120391532Z 2026-03-02 {time}.120391+00:00 [{level}] <0.1404.0> "
        f"{message}\n"
    )


def broker_pods(n: int) -> dict[str, Any]:
    items = []
    for i in range(n):
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"rabbitmq-{i}",
                    "namespace": "pcd",
                    "ownerReferences": [
                        {"controller": True, "kind": "StatefulSet", "name": "rabbitmq"}
                    ],
                },
                "spec": {
                    "containers": [{"name": "rabbitmq", "resources": {"limits": {"memory": "4Gi"}}}]
                },
                "status": {
                    "phase": "Running",
                    "containerStatuses": [
                        {
                            "name": "rabbitmq",
                            "ready": True,
                            "restartCount": 0,
                            "state": {"running": {"startedAt": "2026-03-02T08:00:00Z"}},
                        }
                    ],
                },
            }
        )
    return {"apiVersion": "v1", "kind": "List", "items": items}


def broker_bundle(tmp: Path, log: str, pods: int = 1) -> AnalysisDocument:
    files: dict[str, str] = {
        "manifest.json": json.dumps(
            {
                "schema": "pcd-bundle/1",
                "collected_at": "2026-03-02T09:31:00Z",
                "deployment": "self-hosted",
                "namespace": "pcd",
            }
        ),
        "kubernetes/pods.json": json.dumps(broker_pods(pods)),
        RABBIT: log,
    }
    for rel, text in files.items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_text(text)
    return analyse([tmp])[0]


def fix_of(doc: AnalysisDocument, key: str) -> Any:
    return next(f for f in to_builtins(doc)["recovery"]["fixes"] if f["key"] == key)
