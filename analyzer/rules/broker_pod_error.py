"""The broker container exits with an error (not out of memory)."""

import pandas as pd

from analyzer.rules.base import Samples
from analyzer.rules.context import RuleContext
from analyzer.rules.pods import broker_pod_rule, recent_or_not_ready
from analyzer.rules.samples import PODS, crashing_broker, pod


def _select(pods: pd.DataFrame, ctx: RuleContext) -> pd.Series:
    now = (pods["reason"] == "Error") | (pods["status"] == "Error") | (pods["phase"] == "Failed")
    before = (pods["last_reason"] == "Error") & recent_or_not_ready(pods, ctx)
    return now | before


RULE = broker_pod_rule(
    "broker_pod_error",
    0.5,
    "A broker (RabbitMQ) container is in Error or exited with an error recently.",
    _select,
    event_reasons=("BackOff", "Unhealthy"),
    title="Broker container in Error",
    state="container is in Error or exited with an error recently",
    samples=Samples(
        fires={PODS: crashing_broker("Error")},
        near_miss={
            PODS: pod(
                "rabbitmq-0",
                ready=True,
                waiting=None,
                last="Completed",
                finished="2026-03-02T09:25:00Z",
            )
        },
    ),
)
