"""What looks a little like a secret but is data the analyzer needs: left alone, not reported."""

from __future__ import annotations

import pytest

from collectors.pcd_collect import Redactor, SecretScanner

NEAR_MISSES = [
    # prose after a credential word
    b"2026-03-02 09:10:44.120 2817 WARNING keystone.common.password_hashing [-] password expired for user nova",
    b"2026-03-02 09:10:44.120 2817 INFO keystonemiddleware.auth_token [-] token validation failed, retrying",
    b"2026-03-02 09:10:44.120 2817 DEBUG keystone.token.provider [-] Token has expired",
    b"Error: couldn't find key cookie in Secret pcd/rabbitmq",
    b'MountVolume.SetUp failed for volume "erlang-cookie" : secret "rabbitmq-erlang-cookie" not found',
    b"PLAIN login refused: user 'nova' - invalid credentials",
    # ids: VMs, requests, images, libvirt secrets, projects (bare UUIDs are never masked)
    b"2026-03-02 09:10:44.120 2817 ERROR nova.compute.manager [req-3b1c7e0a-5d52-4f0e-9c7b-2a8d0f61e4b9 - - - - - -] [instance: 9c3a7f4b-5e0d-4a6b-8d84-3fb05c9e2a46] Build failed",
    b"+ virsh secret-set-value --secret 5b8d0e2f-1a3c-4e5f-8a7b-9c0d1e2f3a4b --file /dev/null",
    b"rbd_secret_uuid = 5b8d0e2f-1a3c-4e5f-8a7b-9c0d1e2f3a4b",
    b'"imageID": "docker-pullable://quay.io/pf9/nova@sha256:9f3a47e2c4f82f2b3c9b48c7e56fcc0b62f65a6bd14803eaa158a96e8c4d051f",',
    b'"containerID": "containerd://4f5e6d7c8b9a0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0",',
    b"| id                                   | 6f0d4c1e-2b7a-4d3e-9a51-0c8e2f6b9d13 |",
    b'    "Project ID": "3f2b8c1d9e4a4f6b8c7d2e1f0a9b8c7d",',
    b"Timed out waiting for a reply to message ID 5d0c1e4b9a7f4f53b1e2c8d6a0f3b7e1",
    # references to secrets, not secrets
    b'            "secretName": "rabbitmq-tls",',
    b"  --password-file /etc/pf9/db.pass --host-id 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    b"      RABBITMQ_ERLANG_COOKIE:  <set to the key 'cookie' in secret 'rabbit'>  Optional: false",
    # URLs with ports and paths, host names after a keyword
    b"connect to http://keystone-api.pcd.svc.cluster.local:5000/v3/users/admin@default failed",
    b"2026-03-02 09:10:44.120 [info] <0.1053.0> node rabbit@rabbitmq-0.pcd.svc.cluster.local up, key rabbitmq-0",
]  # fmt: skip


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_left_alone_by_the_redaction(text: bytes) -> None:
    redactor = Redactor({})
    assert redactor.redact(text) == text
    assert sum(redactor.counts.values()) == 0


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_not_reported_by_the_self_scan(text: bytes) -> None:
    assert SecretScanner().scan(text) == {}


def test_adversarial_runs_take_linear_time() -> None:
    """Long runs of rule prefixes (a hostile log) must not make a rule backtrack for minutes."""
    import time

    pieces = [b"x" * 100_000, b"-" * 100_000, b'\\"' * 50_000, b"http://" * 15_000,
              b"eyJ" * 30_000, b"gAAAAA" * 15_000, b"mysql " * 20_000, b"rabbitmqadmin " * 8_000,
              b"SET PASSWORD " * 8_000, b"password " * 12_000, b"a@" * 50_000, b"{a, " * 25_000,
              b"| a " * 25_000, b"--p " * 25_000, b"aws " * 25_000]  # fmt: skip
    data = b"\n".join(pieces)
    started = time.monotonic()
    Redactor({}).redact(data)
    SecretScanner().scan(data)
    assert time.monotonic() - started < 20
