"""A kubectl-stamped log's own times against kubectl's: one clock note per pod log."""

from __future__ import annotations

from pathlib import Path

from analyzer.analysis import analyse
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import kubectl_logs, own_clock

# No published `kubectl logs --timestamps` of a RabbitMQ or oslo.log container could be
# found: below, real container lines get kubectl's stamp put in front of them the way
# kubectl prints it (RFC3339 with nanoseconds, UTC).

# A RabbitMQ 4 pod's own lines, https://github.com/CloudPirates-io/helm-charts/issues/353;
# kubectl's stamps read the same instants (a pod logging UTC with its zone)
RABBIT_PATH = "kubernetes/logs/rabbitmq-0/rabbitmq.log"
RABBIT_AGREE = """\
2025-10-10T13:15:59.091402711Z 2025-10-10 13:15:59.091226+00:00 [info] <0.197929.0> connection 10.42.6.186:40042 -> 10.42.2.136:5672 has a client-provided name: vodafone-service
2025-10-10T13:16:02.092911305Z 2025-10-10 13:16:02.092780+00:00 [error] <0.197929.0> closing AMQP connection <0.197929.0> (10.42.6.186:40042 -> 10.42.2.136:5672 - vodafone-service):
2025-10-10T13:16:02.092913570Z 2025-10-10 13:16:02.092780+00:00 [error] <0.197929.0> failed to negotiate connection parameters: negotiated frame_max = 4096 is lower than the minimum allowed value (8192)
2025-10-10T13:16:35.219677083Z 2025-10-10 13:16:35.219545+00:00 [info] <0.198065.0> accepting AMQP connection 10.42.6.186:52336 -> 10.42.2.136:5672
"""

# nova-api-0's oslo.log lines (no zone), https://github.com/openstack-k8s-operators/nova-
# operator/pull/518 (the second cut where the excerpt ends); kubectl's stamps two hours
# earlier, as from a container whose TZ is Central European Summer Time
NOVA_API_PATH = "kubernetes/logs/nova-api-0/nova-api-log.log"
NOVA_API_LOCAL = """\
2023-09-13T07:10:23.555391027Z 2023-09-13 09:10:23.555 12 DEBUG oslo.messaging._drivers.impl_rabbit [None req-c046e908-cc29-4fe6-8b21-0d869feca525 9efffe51550445dfac24205722848f36 b55dfe2d4a544f97bd22bc8663575d31 - - default default] [e630a085-d2ef-4c53-8529-77bd6a27de3d] Connecting to AMQP server on rabbitmq.openstack.svc:5672 __init__ /usr/lib/python3.9/site-packages/oslo_messaging/_drivers/impl_rabbit.py:754
2023-09-13T07:10:23.569802113Z 2023-09-13 09:10:23.569 12 DEBUG amqp [None req-c046e908-cc29-4fe6-8b21-0d869feca525 9efffe51550445dfac24205722848f36 b55dfe2d4a544f97bd22bc8663575d31 - - default default] Start from server, version: 0.9, properties: {'capabilities': {'publisher_confirms': True, 'exchange_exchange_bindings': True, 'basic.nack': True, 'consumer_cancel_notify': True, 'connection.blocked': True, 'consumer_priorities': True, 'authentication_failure_close': True, 'per_consumer_qos': True, 'direct_reply_to': True}, 'cluster_name': 'rabbitmq', 'copyright': 'Copyright (c) 2007-2022 VMware, Inc. or its affiliates.', 'information': 'Licensed under the MPL 2.0. Website: https://rabbitmq.com', 'platform': 'Erlang/OTP 24.3.4.2', 'product': 'RabbitMQ', 'version': '3.9.21'}, mechanisms: [b'PLAIN',
"""


def clocks(text: str, path: str) -> dict[str, own_clock.OwnClock]:
    src = SourceFile(bundle="b", path=path, data=text.encode())
    ctx = SourceContext(bundle="b", path=path, host=None, utc_offset=None, collected_at=None)
    result = kubectl_logs.parse(src, ctx)
    frame, found = own_clock.summarised(result.tables["logs"])
    assert own_clock.COLUMN not in frame.columns
    return found


def test_own_times_that_agree_with_kubectls_give_no_note() -> None:
    assert clocks(RABBIT_AGREE, RABBIT_PATH) == {}


def test_local_time_without_a_zone_is_noted_with_its_offset() -> None:
    found = clocks(NOVA_API_LOCAL, NOVA_API_PATH)
    assert list(found) == [NOVA_API_PATH]
    assert round(found[NOVA_API_PATH].offset_s) == 7200
    assert found[NOVA_API_PATH].lines == 2


def test_the_note_reaches_the_document_and_kubectls_time_stays(tmp_path: Path) -> None:
    for path, text in ((RABBIT_PATH, RABBIT_AGREE), (NOVA_API_PATH, NOVA_API_LOCAL)):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    doc, frames, _inv = analyse([tmp_path])
    notes = [n for n in doc.clock_assumptions if "kubectl's stamps" in n]
    assert len(notes) == 1
    assert notes[0].startswith(NOVA_API_PATH)
    assert "7200 s (2 h 0 min) ahead of kubectl's stamps (median of 2 lines)" in notes[0]
    api = frames.logs[frames.logs["file"].astype(str).str.endswith("nova-api-log.log")]
    assert str(api["timestamp"].min()) == "2023-09-13 07:10:23.555391+00:00"  # microseconds
    assert "own_offset_s" not in frames.logs.columns
