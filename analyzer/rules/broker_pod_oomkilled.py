"""The broker container was killed for exceeding its memory limit."""

import pandas as pd

from analyzer.rules.context import RuleContext
from analyzer.rules.pods import broker_pod_rule, recent_or_not_ready


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
)
