"""The broker pod is in CrashLoopBackOff: the runbook's strongest root-cause signal."""

import pandas as pd

from analyzer.rules.base import Samples
from analyzer.rules.context import RuleContext
from analyzer.rules.pods import broker_pod_rule
from analyzer.rules.samples import PODS, crashing_broker, pod


def _select(pods: pd.DataFrame, ctx: RuleContext) -> pd.Series:
    return (pods["reason"] == "CrashLoopBackOff") | (pods["status"] == "CrashLoopBackOff")


RULE = broker_pod_rule(
    "broker_pod_crashloop",
    0.7,
    "A broker (RabbitMQ) pod is in CrashLoopBackOff.",
    _select,
    event_reasons=("BackOff",),
    title="Broker pod in CrashLoopBackOff",
    state="pod is in CrashLoopBackOff",
    samples=Samples(
        fires={PODS: crashing_broker("OOMKilled")},
        near_miss={PODS: pod("rabbitmq-0", ready=True, waiting=None, last=None, finished="")},
    ),
)
