"""The broker container was killed for exceeding its memory limit."""

import pandas as pd

from analyzer.rules.base import Samples
from analyzer.rules.context import RuleContext
from analyzer.rules.pods import broker_pod_rule, recent_or_not_ready
from analyzer.rules.samples import PODS, crashing_broker, pod


def _select(pods: pd.DataFrame, ctx: RuleContext) -> pd.Series:
    oom = (
        (pods["last_reason"] == "OOMKilled")
        | (pods["reason"] == "OOMKilled")
        | (pods["status"] == "OOMKilled")
    )
    return oom & recent_or_not_ready(pods, ctx)


RULE = broker_pod_rule(
    "broker_pod_oomkilled",
    0.6,
    "A broker (RabbitMQ) container was OOMKilled recently or has not come back ready.",
    _select,
    event_reasons=("OOMKilling", "Killing"),
    title="Broker container OOMKilled",
    state="container was killed for exceeding its memory limit (OOMKilled)",
    samples=Samples(
        fires={PODS: crashing_broker("OOMKilled")},
        # OOMKilled days ago, Running and ready since: history, not the current failure
        near_miss={
            PODS: pod(
                "rabbitmq-0",
                ready=True,
                waiting=None,
                last="OOMKilled",
                finished="2026-02-27T09:25:00Z",
            )
        },
    ),
)
