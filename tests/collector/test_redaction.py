"""Secrets never reach a bundle: the rules one by one, and every planted secret end to end."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from collectors import pcd_collect
from collectors.pcd_collect import MASK, Redactor
from tests.collector.fakes import (
    SECRETS,
    bundle_path_from,
    make_fake_tools,
    manifest,
    members,
)

# (rule, text, the secret that must go)
CASES = [
    ("url_credentials", b"transport_url = rabbit://nova:S3cretPass@broker.pcd.svc:5672/", b"S3cretPass"),
    ("url_credentials", b"rabbit://a:Pw1@h1:5672,b:Pw2x@h2:5672/", b"Pw2x"),
    ("url_credentials", b"connection = mysql+pymysql://nova:DbPass1@db/nova", b"DbPass1"),
    ("config_kv", b"[keystone_authtoken]\npassword = hunter2 with spaces\n", b"with spaces"),
    ("config_kv", b"export OS_PASSWORD='Os-Pa55word!'\n", b"Os-Pa55word!"),
    ("config_kv", b"      RABBITMQ_DEFAULT_PASS:   Rabb1tDefaultPw\n", b"Rabb1tDefaultPw"),
    ("config_kv", b'    "password": "Json-Pw-1",\n', b"Json-Pw-1"),
    ("password_kv", b"DEBUG login password=Hunter2Password user=admin", b"Hunter2Password"),
    ("password_kv", b"{'admin_password': 'ServerAdminPw9', 'x': 1}", b"ServerAdminPw9"),
    ("password_kv", b"GET /v1?token=abcdef123&x=1", b"abcdef123"),
    ("auth_header", b'-H "X-Auth-Token: 4b2d8e1f0a9c7b6d5e3f2a1b0c9d8e7f"', b"4b2d8e1f0a9c7b6d"),
    ("auth_header", b"Authorization: Bearer abc.def-ghi", b"abc.def-ghi"),
    ("auth_header", b"{'X-Subject-Token': 'gAAAAtoken'}", b"gAAAAtoken"),
    ("fernet_token", b"token gAAAAABpX2ZlcnRldC10b2tlbi12YWx1ZS1mb3ItdGVzdHMtb25seS0xMjM0 ok", b"gAAAAABpX2Zl"),
    ("env_value", b'{"name": "OS_PASSWORD",\n "value": "Os-Pa55word!"}', b"Os-Pa55word!"),
    ("env_value", b'"{\\"name\\":\\"DB_PASSWORD\\",\\"value\\":\\"InAnnotation1\\"}"', b"InAnnotation1"),
    ("env_value", b"- name: API_TOKEN\n  value: yaml-token-1\n", b"yaml-token-1"),
    ("private_key", b"-----BEGIN RSA PRIVATE KEY-----\nMIIEsecretbody\n-----END RSA PRIVATE KEY-----", b"MIIEsecretbody"),
    ("private_key", b'"-----BEGIN PRIVATE KEY-----\\nMIIEjsonbody\\n-----END PRIVATE KEY-----"', b"MIIEjsonbody"),
    ("private_key", b"-----BEGIN OPENSSH PRIVATE KEY-----\ntruncated-key-body", b"truncated-key-body"),
    ("certificate", b"-----BEGIN CERTIFICATE-----\nMIIDcertbody\n-----END CERTIFICATE-----", b"MIIDcertbody"),
    ("kubeconfig", b"    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==", b"LS0tLS1CRUdJTiBSU0Eg"),
    ("pem_base64", b'"tls.key": LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCg==', b"LS0tLS1CRUdJTiBQUklW"),
    ("jwt", b"bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlMTIz", b"c2lnbmF0dXJlMTIz"),
    ("pki_token", b"PKIZ_eJzlWVtzqkgQfs-longlonglongtoken", b"PKIZ_eJzlWVtzqkgQfs"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "text", "secret"), CASES)
def test_rule_masks_and_counts(rule: str, text: bytes, secret: bytes) -> None:
    redactor = Redactor({})
    out = redactor.redact(text)
    assert secret not in out
    assert MASK in out
    assert redactor.counts[rule] >= 1, redactor.counts
    # idempotent: masked output has nothing left to mask, so the post-write scan is clean
    assert redactor.redact(out) == out
    assert redactor.scan(out) == {}


def test_environment_secret_values_are_masked_anywhere() -> None:
    redactor = Redactor(
        {"OS_PASSWORD": "Os-Pa55word!", "PWD": "/srv/pcd-analyzer", "HOME": "/root"}
    )
    out = redactor.redact(b"authenticating with Os-Pa55word! in /srv/pcd-analyzer")
    assert out == b"authenticating with [REDACTED] in /srv/pcd-analyzer"
    assert redactor.counts["environment_secret"] == 1


# What the analyzer needs must survive redaction untouched (near misses).
KEEP = [
    b"2026-03-02 09:10:44.120 2817 ERROR oslo.messaging._drivers.impl_rabbit [-] [a1b2] AMQP "
    b"server broker.pcd.svc.cluster.local:5672 closed the connection. Check login credentials: "
    b"Socket closed",
    b"AMQP server on broker.pcd.svc.cluster.local:5672 is unreachable: [Errno 111] "
    b"ECONNREFUSED. Trying again in 4 seconds.",
    b"Timed out waiting for a reply to message ID 5d0c1e4b9a7f4f53b1e2c8d6a0f3b7e1",
    b"PLAIN login refused: user 'nova' - invalid credentials",
    b"amqp.exceptions.AccessRefused: (0, 0): (403) ACCESS_REFUSED - Login was refused",
    b'{"ID": "6f0d4c1e", "Task State": "scheduling", "Power State": 0, "Host": null}',
    b'"secretKeyRef": {\n    "key": "cookie",\n    "name": "rabbitmq"\n}',
    b"      RABBITMQ_ERLANG_COOKIE:  <set to the key 'cookie' in secret 'rabbit'>  Optional: false",
    b"transport_url = rabbit://nova:****@broker:5672/",
    b"Memory high watermark set to 204 MiB (214748364 bytes) of 512 MiB (536870912 bytes) total",
]


@pytest.mark.parametrize("text", KEEP)
def test_diagnostic_text_is_left_alone(text: bytes) -> None:
    redactor = Redactor({})
    assert redactor.redact(text) == text
    assert sum(redactor.counts.values()) == 0


def test_no_planted_secret_reaches_the_tarball(tmp_path: Path) -> None:
    fakes = make_fake_tools(tmp_path, "messaging")
    # a failing command whose stderr carries a token
    fakes.prepend_rules("pcdctl", [{
        "match": ["server", "list", "ERROR"], "exit": 1,
        "stderr": f'DEBUG REQ: GET /servers -H "X-Auth-Token: {SECRETS["X-Auth-Token header (ostackhost.log, pcdctl stderr)"]}"\n'
                  "ERROR: Unable to establish connection\n",
    }])  # fmt: skip
    result = fakes.run()
    assert result.returncode == 0, result.stderr
    bundle = bundle_path_from(result)
    files = members(bundle)
    raw_tar = gzip.decompress(bundle.read_bytes())  # member names and headers too
    for what, secret in SECRETS.items():
        needle = secret.encode()
        assert needle not in raw_tar, what
        for path, data in files.items():
            assert needle not in data, f"{what} in {path}"
        assert secret not in result.stderr, f"{what} printed"
        assert secret not in result.stdout
    doc = manifest(bundle)
    counts = doc["redaction"]["rules"]
    for rule in ("url_credentials", "auth_header", "env_value", "config_kv", "password_kv",
                 "fernet_token", "private_key"):  # fmt: skip
        assert counts[rule] > 0, rule
    assert files["commands/openstack_servers-error.stderr"].count(b"[REDACTED]") == 1
    # the mask left the files readable: JSON stays JSON
    json.loads(files["kubernetes/pods.json"])
    json.loads(files["openstack/servers.json"])


def test_a_secret_surviving_redaction_fails_loudly_and_leaves_no_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Break redaction on purpose: the post-write scan must catch it."""
    fakes = make_fake_tools(tmp_path, "messaging", kubectl="missing")
    for key, value in fakes.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(pcd_collect.Collector, "clean", lambda self, data: data)
    code = pcd_collect.main(fakes.command("-q")[2:])
    err = capsys.readouterr().err
    assert code == pcd_collect.EXIT_SECRET_FOUND
    assert "still contains what looks like a secret" in err
    assert "matching rule url_userinfo" in err  # the self-scan's own detector, not a redaction rule
    assert SECRETS["OS_PASSWORD (collector environment, pod JSON env)"] not in err
    assert [p.name for p in fakes.out_dir.iterdir()] == []
