"""The parsers, in identification order: the most specific content first.

A file is given to the first parser whose layout paths match it; failing that, to the
first whose sniffer recognises its content.
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
    terminal_session,
)
from analyzer.parsers.base import ParseResult, ParserSpec

PARSERS: tuple[ParserSpec, ...] = (
    terminal_session.SPEC,  # several commands' outputs, each read by the parsers below
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

__all__ = ["PARSERS", "ParseResult", "ParserSpec"]
