"""The broker pod cannot start: unscheduled, image or volume problems."""

import pandas as pd

from analyzer.rules.base import Samples
from analyzer.rules.context import RuleContext
from analyzer.rules.pods import broker_pod_rule
from analyzer.rules.samples import PODS, pod

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
    title="Broker pod cannot start",
    state="pod is Pending or cannot start its containers",
    samples=Samples(
        fires={
            PODS: pod(
                "rabbitmq-0", ready=False, waiting="ContainerCreating", last=None, finished=""
            )
        },
        # the same state in a pod that is not the broker's
        near_miss={
            PODS: pod(
                "nova-conductor-7d9f",
                ready=False,
                waiting="ContainerCreating",
                last=None,
                finished="",
                container="nova-conductor",
            )
        },
    ),
)
