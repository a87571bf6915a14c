"""The broker pod is in CrashLoopBackOff: the runbook's strongest root-cause signal."""

import pandas as pd

from analyzer.rules.context import RuleContext
from analyzer.rules.pods import broker_pod_rule


def _select(pods: pd.DataFrame, ctx: RuleContext) -> pd.Series:
    return (pods["reason"] == "CrashLoopBackOff") | (pods["status"] == "CrashLoopBackOff")


RULE = broker_pod_rule(
    "broker_pod_crashloop",
    0.7,
    "A broker (RabbitMQ) pod is in CrashLoopBackOff.",
    _select,
    event_reasons=("BackOff",),
)
