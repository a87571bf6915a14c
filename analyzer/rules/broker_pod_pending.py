"""The broker pod cannot start: unscheduled, image or volume problems."""

import pandas as pd

from analyzer.rules.context import RuleContext
from analyzer.rules.pods import broker_pod_rule

NOT_STARTED = (
    "ContainerCreating",
    "Pending",
    "ImagePullBackOff",
    "ErrImagePull",
    "PodInitializing",
)


def _select(pods: pd.DataFrame, ctx: RuleContext) -> pd.Series:
    return (
        (pods["phase"] == "Pending")
        | pods["reason"].isin(NOT_STARTED)
        | pods["status"].fillna("").str.startswith("Init:")
    )


RULE = broker_pod_rule(
    "broker_pod_pending",
    0.6,
    "A broker (RabbitMQ) pod is Pending or cannot start its containers.",
    _select,
    event_reasons=("FailedScheduling", "FailedMount", "Failed"),
)
