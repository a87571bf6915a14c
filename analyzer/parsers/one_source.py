"""The parsers of one source each, in identification order: the most specific content first.

:data:`analyzer.parsers.PARSERS` puts the terminal-session parser before them; that parser
gives each pasted command's output back to these, so both read the one list.
"""

from analyzer.parsers import (
    k8s_describe,
    k8s_events,
    k8s_pods,
    kubectl_logs,
    oslo_log,
    pf9_log,
    rabbitmq_log,
    server_show,
    servers,
    services,
)
from analyzer.parsers.base import ParserSpec

ONE_SOURCE: tuple[ParserSpec, ...] = (
    server_show.SPEC,
    servers.SPEC,
    services.SPEC,
    k8s_pods.SPEC,
    k8s_events.SPEC,
    k8s_describe.SPEC,
    kubectl_logs.SPEC,
    rabbitmq_log.SPEC,
    oslo_log.SPEC,
    pf9_log.SPEC,
)
