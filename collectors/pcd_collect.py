#!/usr/bin/env python3
"""pcd-collect: gather a Private Cloud Director support bundle that ``analyze`` reads.

One file, Python 3.8 or newer, standard library only: copy it to an admin workstation (with
``pcdctl`` configured and, for Self-Hosted, ``kubectl`` access to the region namespace) or to
a hypervisor (for ``/var/log/pf9``) and run ``python3 pcd_collect.py``. It only reads: every
command it runs is a read-only listing with a timeout, and the only things it writes are the
bundle (and, with ``--obfuscate``, the pseudonym mapping) in the output directory.

Secrets are masked before anything is written, and the finished bundle is scanned once more;
if anything still looks like a secret the bundle is deleted and the run fails (exit 3).

The layout written is ``docs/bundle-format.md`` (schema ``pcd-bundle/1.1``); the options and
the exit statuses are described in ``docs/collector.md`` and by ``--help``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import hashlib
import io
import ipaddress
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tarfile
import threading
import time
import urllib.parse
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterable

VERSION = "0.1.0"
SCHEMA = "pcd-bundle/1.1"

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_SECRET_FOUND = 3
EXIT_NOTHING_COLLECTED = 4
EXIT_INTERRUPTED = 130

KIB = 1024
MIB = 1024 * KIB

MASK = b"[REDACTED]"
# Under --obfuscate each distinct secret gets a numbered mask instead ([REDACTED-1], ...).
MASKED_VALUE = re.compile(rb"\[REDACTED(?:-[0-9]{1,7})?\]")
STDERR_CAP = 64 * KIB
ERROR_EXCERPT_CHARS = 400
POLL_S = 0.05
DRAIN_JOIN_S = 2.0

# Pods whose describe output and logs are collected, in this order (messaging layer first).
POD_ROLES = (
    ("messaging", re.compile(r"(?:^|-)(?:rabbitmq|broker)(?:-|$)")),
    ("nova-conductor", re.compile(r"^nova-conductor")),
    ("nova-scheduler", re.compile(r"^nova-scheduler")),
    ("nova-api", re.compile(r"^nova-api")),
)

SERVER_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
K8S_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$")
NAMESPACE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?(?:[0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


class UsageError(Exception):
    """The command line asks for something impossible; one line on stderr, exit status 2."""


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso_z(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def parse_size(text: str) -> int:
    """``20M``, ``512K``, ``1G``, ``4096`` (bytes); binary units."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", text.lower())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (examples: 4096, 512K, 20M, 1G)")
    factor = {"": 1, "k": KIB, "m": MIB, "g": 1024 * MIB}[m.group(2)]
    return int(float(m.group(1)) * factor)


def parse_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """A duration back from now (``24h``, ``90m``, ``2d``) or a time (``2026-03-02T08:00Z``).

    A time without a zone is local time of this host.
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text.lower())
    if m:
        unit = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}[m.group(2)]
        return now - dt.timedelta(seconds=float(m.group(1)) * unit)
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(
            f"--since: not a duration or a time: {text!r} (examples: 24h, 90m, 2026-03-02T08:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.timezone.utc)


def safe_component(text: str, fallback: str = "unknown") -> str:
    """A string usable as one path component of the bundle."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")
    return cleaned[:120] or fallback


_PLAIN_COMPONENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")


def member_component(name: str) -> str:
    """A name from a tool's output (pod, container, server id) as one bundle path component.

    Plain names are kept as they are (the analyzer finds pods by name); anything else is
    sanitised and given a short hash, so two hostile names never collide and none can add a
    directory, ``..`` or an absolute path to the bundle layout.
    """
    if _PLAIN_COMPONENT.match(name) and ".." not in name:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{safe_component(name, 'name')[:80]}-{digest}"


def refused_operand(value: str) -> str | None:
    """Why a name read from a tool's output must not be put on a command line, or None.

    Commands never go through a shell, so ``;``, ``$(...)`` and spaces are inert; what is left
    is option injection (``--kubeconfig=/x`` read as an option), a NUL byte (which no argv can
    hold) and absurd lengths.
    """
    if not value:
        return "empty"
    if value.startswith("-"):
        return "starts with '-' (it would be read as an option)"
    if "\x00" in value:
        return "contains a NUL byte"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON "\ud800" escape
        return "not valid UTF-8"
    if len(value) > 253:
        return "longer than 253 characters"
    return None


def _operand(value: str) -> str:
    """The last guard before a name becomes an argument: callers check refused_operand first."""
    reason = refused_operand(value)
    if reason is not None:
        raise ValueError(f"refusing command argument {value[:60]!r}: {reason}")
    return value


def shown_name(value: str, limit: int = 60) -> str:
    """A refused name for the manifest notes: escaped, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def open_regular(path: str, follow: bool = False) -> IO[bytes]:
    """Open a file for reading only if it is a regular file; never a link (unless ``follow``).

    ``O_NOFOLLOW`` refuses a symbolic link planted in place of a log (``-> /etc/shadow``),
    ``O_NONBLOCK`` keeps a FIFO from blocking the open, and the type is checked on the open
    descriptor, so swapping the file after a check gains nothing.
    """
    flags = os.O_RDONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0) | (0 if follow else _NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow and os.path.islink(path):
            raise OSError(exc.errno, "a symbolic link; not followed") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file; skipped")
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def command_label(path: str) -> str:
    """``kubernetes/logs/rabbitmq-0/rabbitmq.previous.log`` -> ``kubernetes_logs_rabbitmq-0_...``"""
    stem = re.sub(r"\.(json|txt|log)$", "", path)
    flat = re.sub(r"[^A-Za-z0-9._-]+", "_", stem.replace("/", "_")).strip("._-")
    if len(flat) <= 120:
        return flat or "unknown"
    # long pod names share their first 120 characters: a hash keeps the labels apart
    return f"{flat[:111]}-{hashlib.sha256(path.encode()).hexdigest()[:8]}"


def excerpt(data: bytes, limit: int = ERROR_EXCERPT_CHARS) -> str:
    text = data.decode("utf-8", errors="replace").strip()
    if len(text) > limit:
        text = "..." + text[-limit:]
    return " | ".join(line.strip() for line in text.splitlines() if line.strip())


def load_json(data: bytes | None) -> Any:
    if not data:
        return None
    try:
        return json.loads(data.decode("utf-8", errors="replace"))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# Redaction: every byte written into the bundle passes through Redactor.redact first
# --------------------------------------------------------------------------------------------

# A key, flag or variable name that holds a credential: judged by what the name contains, not
# by a list of known names (adminPass, DB_CREDS, memcache_secret_key, --bootstrap-password).
_CREDENTIAL_NAME = re.compile(
    rb"(?i)passw|passwd|pwd|passphrase|(?<!by)pass(?![a-z])|secret|token|cookie"
    rb"|cred(?:s|ential)|(?:private|api|access|auth|secret|shared|master|encryption)[_-]?key"
    rb"|[_.-]key$|keyring"
)
# ... unless the name says it holds something else: a reference, a path, a setting.
_NOT_CREDENTIAL_NAME = re.compile(
    rb"(?i)(?:name|ref|refs|file|path|dir|type|[_-]id|uuid|enabled|ttl|expiration|expires_at"
    rb"|provider|driver|format|length|policy|backend|url|uri|mode|count|size|version|time"
    rb"|timeout|cache|method|plugin|hashing)$"
)
SENSITIVE_NAME_RE = _CREDENTIAL_NAME
NOT_A_SECRET = {b"", b"null", b"none", b"true", b"false", b"~", b"''", b'""'}
_BARE_UUID = re.compile(rb"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_HEX_TOKEN = re.compile(rb"[0-9a-fA-F]{20,}")
# Kubernetes and host names (rabbitmq-0, hv-01, nova-conductor-6d9f7c8b5-x2x7q): not a password.
_K8S_LIKE = re.compile(rb"[a-z][a-z0-9]*(?:[.-][a-z0-9]+)+")


def _is_sensitive_name(name: bytes) -> bool:
    name = name.strip(b"\"'-\\")
    return _CREDENTIAL_NAME.search(name) is not None and not _NOT_CREDENTIAL_NAME.search(name)


def _already_masked(value: bytes) -> bool:
    inner = value.strip(b"\"'\\ \t")  # quotes and JSON escapes around the value
    return (
        inner.lower() in NOT_A_SECRET
        or MASKED_VALUE.fullmatch(inner) is not None
        or inner.startswith(b"<set to the key")
        or set(inner) <= {ord("*")}
    )


def _is_tokenish(name: bytes) -> bool:
    return re.search(rb"(?i)token|auth", name) is not None


def _looks_secret(value: bytes, near_token: bool = False) -> bool:
    """A word after a keyword in free text: a secret, or prose ("password expired")?"""
    inner = value.strip(b"\"'")
    if _already_masked(value) or inner[:1] in (b"/", b"[", b"{", b"(", b"<", b"$", b"-"):
        return False
    if near_token and (_BARE_UUID.fullmatch(inner) or _HEX_TOKEN.fullmatch(inner)):
        return True
    if len(inner) < 6 or b"://" in inner or _BARE_UUID.fullmatch(inner):
        return False
    if _K8S_LIKE.fullmatch(inner):
        return False
    has_digit = re.search(rb"[0-9]", inner) is not None
    has_lower = re.search(rb"[a-z]", inner) is not None
    has_upper = re.search(rb"[A-Z]", inner[1:]) is not None
    has_letter = has_lower or re.search(rb"[A-Z]", inner) is not None
    return (has_digit and has_letter) or (has_lower and has_upper)


# Each rule: (name, compiled pattern, handler). The handler returns the replacement, or the
# match unchanged to leave it alone. Rules run in order; masked values never match again, so
# redact(redact(x)) == redact(x). The post-write scan does NOT reuse these rules
# (SecretScanner below has its own detectors).
_PEM_KEY = re.compile(
    rb"-----BEGIN (?P<label>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----(?P<body>.*?)"
    rb"(?:-----END (?P=label)-----|\Z)",
    re.S,
)
_PEM_CERT = re.compile(
    rb"-----BEGIN (?P<label>[A-Z0-9 ]*CERTIFICATE[A-Z0-9 ]*)-----(?P<body>.*?)"
    rb"(?:-----END (?P=label)-----|\Z)",
    re.S,
)
_KUBECONFIG = re.compile(
    rb"(?P<key>client-key-data|client-certificate-data|certificate-authority-data|id-token"
    rb"|refresh-token|access-token|client-secret)(?P<sep>[\"']?\s*:\s*)(?P<val>[^\s,}]+)"
)
_PEM_B64 = re.compile(rb"LS0tLS1CRUdJTi[A-Za-z0-9+/=]*")
# scheme://, then everything up to white space or a quote; the handler finds the userinfo.
_URL = re.compile(rb"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]{1,20}://)(?P<rest>[^\s\"'<>]+)")
_AUTH_HEADER = re.compile(
    rb"(?i)(?P<key>(?<![\w-])(?:X-Auth-Token|X-Subject-Token|X-Service-Token|X-Storage-Token"
    rb"|X-Vault-Token|Proxy-Authorization|Authorization|Set-Cookie|Cookie))"
    rb"(?P<sep>[\"']?\s*[:=]\s*[\"']?)(?P<scheme>(?:Bearer|Basic|Negotiate|Token)\s+)?"
    rb"(?P<val>[^\s\"',;]+)"
)
_ENV_JSON = re.compile(
    rb"(?P<pre>\"name\"\s*:\s*\"(?P<name>[^\"\\]*)\"\s*,\s*\"value\"\s*:\s*)"
    rb"(?P<val>\"(?:[^\"\\]|\\.)*\")"
)
_ENV_JSON_ESCAPED = re.compile(
    rb"(?P<pre>\\\"name\\\"\s*:\s*\\\"(?P<name>[^\"\\]*)\\\"\s*,\s*\\\"value\\\"\s*:\s*\\\")"
    rb"(?P<val>[^\"\\]*)(?=\\\")"
)
_ENV_YAML = re.compile(
    rb"(?m)^(?P<pre>[ \t]*-?[ \t]*name:[ \t]*[\"']?(?P<name>[A-Za-z_][\w.-]*)[\"']?[ \t]*\r?\n"
    rb"[ \t]*value:[ \t]*)(?P<val>[^\r\n]*)"
)
_LINE_KV = re.compile(
    rb"(?m)^(?P<pre>[ \t]*(?:export[ \t]+)?[\"']?(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)[\"']?"
    rb"[ \t]*[:=][ \t]*)(?P<val>[^\r\n]*?)(?P<post>[ \t]*,?[ \t]*\r?)$"
)
_INLINE_KV = re.compile(
    rb"(?i)(?<![\w.-])(?P<key>[\w.-]*?(?:passw(?:or)?d|passwd|pwd|pass|secret|token|creds"
    rb"|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key)[\w.-]*)"
    rb"(?P<sep>[\"']?\s*[:=]\s*)"
    rb"(?P<val>\"(?:[^\"\\\r\n]|\\.)*\"|'[^'\r\n]*'|[^\s\"',;&}\])]+)"
)
_VALUE = rb"(?P<val>\"[^\"\r\n]*\"|'[^'\r\n]*'|[^\s\"',;]+)"
_FLAG = rb"(?P<key>(?<![\w-])--?[A-Za-z][\w-]*)"
# --os-password hunter2, --os-password=hunter2, -setcookie abc (erl)
_CLI_FLAG = re.compile(_FLAG + rb"(?P<sep>=|[ \t]+)" + _VALUE)
# ["--password", "x"] in pod specs, also as escaped JSON inside an annotation
_ARGV_JSON = re.compile(
    rb"(?P<pre>(?P<q>\\?\")" + _FLAG + rb"(?P=q)\s*,\s*(?P=q))(?P<val>(?:[^\"\\]|\\[^\"])*)"
    rb"(?=(?P=q))"
)
# one argument a line: kubectl describe "Args:", YAML sequences (- --password / - value)
_ARGV_LINES = re.compile(
    rb"(?m)^(?P<pre>[ \t]*(?:-[ \t]+)?[\"']?" + _FLAG + rb"[\"']?[ \t]*\r?\n[ \t]*(?:-[ \t]+)?)"
    rb"(?P<val>[^\s-][^\r\n]*?)(?P<post>[ \t]*\r?)$"
)
_FLAG_WORDS = {b"base64", b"setcookie", b"requirepass"}
# mysql(1) and friends: -pPASSWORD, no space (with a space, -p prompts)
_MYSQL_TOOLS = rb"\b(?:mysql|mysqladmin|mysqldump|mysqlcheck|mysqlshow|mariadb|mariadb-dump)"
_MYSQL_P = re.compile(
    rb"(?P<pre>" + _MYSQL_TOOLS + rb"\b[^\r\n]{0,400}?[ \t]-p)"
    rb"(?P<val>'[^'\r\n]*'|\"[^\"\r\n]*\"|[^\s'\"]+)"
)
_MYSQL_P_JSON = re.compile(
    rb"(?P<pre>" + _MYSQL_TOOLS + rb"\\?\"[^\]]{0,400}?\\?\"-p)(?P<val>[^\"\\\s]+)"
)
# curl(1): -u / --user / --proxy-user user:password
_CURL_USER = re.compile(
    rb"(?P<pre>(?<![\w-])(?:-u|-U|--user|--proxy-user)(?:[ \t]+|=)?[\"']?[^\s:\"'/]+:)"
    rb"(?P<val>[^\s\"']+)"
)
# rabbitmqadmin(8) -p PASSWORD, sshpass(1) -p PASSWORD, redis-cli(1) -a PASSWORD
_TOOL_PASSWORD = re.compile(
    rb"(?P<pre>\b(?:(?:rabbitmqadmin|sshpass)\b[^\r\n]{0,400}?[ \t]-p"
    rb"|redis-cli\b[^\r\n]{0,400}?[ \t]-a)"
    rb"[ \t]+)(?P<val>'[^'\r\n]*'|\"[^\"\r\n]*\"|[^\s'\"]+)"
)
# rabbitmqctl(8): add_user <user> <password>, change_password, authenticate_user
_RABBITMQCTL = re.compile(
    rb"(?P<pre>\b(?:add_user|change_password|authenticate_user)[ \t]+"
    rb"(?:\"[^\"\r\n]*\"|'[^'\r\n]*'|[^\s'\"]+)[ \t]+)(?P<val>'[^'\r\n]*'|\"[^\"\r\n]*\"|[^\s'\"]+)"
)
# MySQL: IDENTIFIED BY 'x', SET PASSWORD FOR u = PASSWORD('x')
_SQL_PASSWORD = re.compile(
    rb"(?i)(?P<pre>\b(?:IDENTIFIED[ \t]+(?:WITH[ \t]+\S+[ \t]+)?BY(?:[ \t]+PASSWORD)?"
    rb"|SET[ \t]+PASSWORD\b[^=\r\n]{0,200}=(?:[ \t]*PASSWORD[ \t]*\()?)[ \t]*)"
    rb"(?P<val>'(?:[^'\\\r\n]|\\.)*'|\"(?:[^\"\\\r\n]|\\.)*\")"
)
# redis.conf / CONFIG SET: requirepass x, masterauth x
_CONFIG_WORD = re.compile(
    rb"(?i)(?P<key>(?<![\w-])(?:requirepass|masterauth))(?P<sep>[ \t]+)(?P<val>[^\s\"']+)"
)
# free text: "password S3cret", "token 5f2c...", "with creds X" (the handler keeps prose)
_KEYWORD_VALUE = re.compile(
    rb"(?i)(?<![\w.-])(?P<key>passw(?:or)?d|passwd|pass|pwd|passphrase|secret|token|cookie|key"
    rb"|credentials?|creds)(?P<sep>[ \t]+)" + _VALUE
)
# JSON on one line: "erlang-cookie": "x" (the line rule sees only pretty-printed JSON)
_JSON_KV = re.compile(
    rb"(?P<pre>\"(?P<name>[^\"\\\r\n]{1,100})\"\s*:\s*)(?P<val>\"(?:[^\"\\\r\n]|\\.)*\")"
)
# openstack ... -f table (prettytable): | adminPass | value |
_TABLE_ROW = re.compile(
    rb"(?m)(?P<pre>(?:^|(?<=[ \t]))\|[ \t]*(?P<name>[A-Za-z_][\w.:-]*)[ \t]*\|[ \t]*)"
    rb"(?P<val>[^|\r\n]*?)(?P<post>[ \t]*\|[ \t]*\r?)$"
)
# XML: <password>x</password>
_XML_VALUE = re.compile(
    rb"(?P<pre><(?P<name>[A-Za-z_][\w:.-]*)(?:[ \t][^<>\r\n]*)?>)(?P<val>[^<>\r\n]{1,512})"
    rb"(?=</(?P=name)>)"
)
# escaped JSON in an annotation: \"adminPass\":\"x\"
_ESCAPED_JSON_KV = re.compile(
    rb"(?P<pre>\\\"(?P<name>[\w.-]{1,100})\\\"\s*:\s*\\\")(?P<val>(?:[^\"\\]|\\[^\"])*)(?=\\\")"
)
# Erlang terms: {default_pass, <<"x">>}, {default_pass, "x"}, -rabbit default_pass <<"x">>
_ERLANG_TERM = re.compile(
    rb"(?P<pre>\{[ \t]*(?P<name>[a-z_]\w*)[ \t]*,[ \t]*(?:<<)?)(?P<val>\"(?:[^\"\\\r\n]|\\.)*\")"
)
_ERLANG_ARG = re.compile(
    rb"(?P<pre>(?<![\w])(?P<name>[a-z_]\w*)[ \t]+<<\\?\")(?P<val>(?:[^\"\\\r\n]|\\[^\"])*)"
    rb"(?=\\?\">>)"
)
# a whole .erlang.cookie file (or a line of it): 20 upper-case letters
_ERLANG_COOKIE = re.compile(rb"(?m)^(?P<val>[A-Z]{20})\r?$")
# AWS: access key ids by prefix; a secret key (40 base64 characters) on a line about AWS
_AWS_KEY_ID = re.compile(rb"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b")
_AWS_LINE = re.compile(rb"(?im)^[^\r\n]*(?:aws|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b)[^\r\n]*$")
_AWS_SECRET = re.compile(rb"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
# Ceph keyring / ceph auth get-key / virsh secret-set-value: base64 of 28 bytes, type 1
_CEPH_KEY = re.compile(rb"(?<![A-Za-z0-9+/])AQ[A-Za-z0-9+/]{36}==")
_FERNET = re.compile(rb"gAAAAA[A-Za-z0-9_=-]{40,}")
_JWT = re.compile(rb"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_PKI_TOKEN = re.compile(rb"\bPKIZ_[A-Za-z0-9_-]{20,}|\bMII[A-Za-z0-9+/]{200,}={0,2}")


class Redactor:
    """Masks credentials; counts, per rule, how many values it masked (never the values).

    With ``numbered`` (``--obfuscate``), every distinct value gets its own mask, the same
    wherever it appears and whichever rule found it: the password of a ``transport_url``, of
    ``--password`` in a pod's args and of ``default_pass`` in ``rabbitmq.conf`` all read
    ``[REDACTED-1]`` when they are one password, so support can still tell that a service
    holds the broker's current credential. The numbers live in this object only (one bundle);
    the values are never written anywhere, not even to the obfuscation mapping.
    """

    RULES = (
        "private_key",
        "certificate",
        "kubeconfig",
        "pem_base64",
        "url_credentials",
        "auth_header",
        "env_value",
        "argv_json",
        "argv_lines",
        "config_kv",
        "json_kv",
        "table_row",
        "xml_value",
        "escaped_json_kv",
        "erlang_term",
        "password_kv",
        "cli_flag",
        "mysql_password",
        "curl_user",
        "tool_password",
        "rabbitmqctl_password",
        "sql_password",
        "config_word",
        "keyword_value",
        "erlang_cookie",
        "aws_secret_key",
        "aws_access_key",
        "ceph_key",
        "fernet_token",
        "jwt",
        "pki_token",
        "environment_secret",
    )

    def __init__(self, environ: dict[str, str] | None = None, numbered: bool = False) -> None:
        self.counts: dict[str, int] = {name: 0 for name in self.RULES}
        self.numbered = numbered
        self._numbers: dict[bytes, bytes] = {}
        # Values of this process's own secret-looking environment variables (OS_PASSWORD, ...)
        # are masked wherever they appear, whatever surrounds them.
        literals = sorted(
            {
                value.encode()
                for name, value in (environ or {}).items()
                if _is_sensitive_name(name.encode())
                and name.upper() not in ("PWD", "OLDPWD")
                and len(value) >= 6
                and "\n" not in value
            },
            key=len,
            reverse=True,
        )
        self._literal = re.compile(b"|".join(re.escape(v) for v in literals)) if literals else None
        self._pipeline: list[tuple[str, re.Pattern[bytes], Callable[[re.Match[bytes]], bytes]]] = [
            ("private_key", _PEM_KEY, self._pem),
            ("certificate", _PEM_CERT, self._pem),
            ("kubeconfig", _KUBECONFIG, self._key_value),
            ("pem_base64", _PEM_B64, self._whole),
            ("aws_secret_key", _AWS_LINE, self._aws_line),
            ("aws_access_key", _AWS_KEY_ID, self._whole),
            ("ceph_key", _CEPH_KEY, self._whole),
            ("fernet_token", _FERNET, self._whole),
            ("jwt", _JWT, self._whole),
            ("pki_token", _PKI_TOKEN, self._whole),
            ("url_credentials", _URL, self._url),
            ("auth_header", _AUTH_HEADER, self._header),
            ("env_value", _ENV_JSON, self._named_value),
            ("env_value", _ENV_JSON_ESCAPED, self._named_value),
            ("env_value", _ENV_YAML, self._named_value),
            ("argv_json", _ARGV_JSON, self._flag_value),
            ("argv_lines", _ARGV_LINES, self._flag_value),
            ("config_kv", _LINE_KV, self._line_kv),
            ("json_kv", _JSON_KV, self._named_value),
            ("table_row", _TABLE_ROW, self._line_kv),
            ("xml_value", _XML_VALUE, self._named_value),
            ("escaped_json_kv", _ESCAPED_JSON_KV, self._named_value),
            ("erlang_term", _ERLANG_TERM, self._named_value),
            ("erlang_term", _ERLANG_ARG, self._named_value),
            ("password_kv", _INLINE_KV, self._inline_kv),
            ("cli_flag", _CLI_FLAG, self._flag_value),
            ("mysql_password", _MYSQL_P, self._after),
            ("mysql_password", _MYSQL_P_JSON, self._after),
            ("curl_user", _CURL_USER, self._after),
            ("tool_password", _TOOL_PASSWORD, self._after),
            ("rabbitmqctl_password", _RABBITMQCTL, self._after),
            ("sql_password", _SQL_PASSWORD, self._after),
            ("config_word", _CONFIG_WORD, self._key_value),
            ("keyword_value", _KEYWORD_VALUE, self._keyword_value),
            ("erlang_cookie", _ERLANG_COOKIE, self._whole),
        ]
        self._current = ""

    def redact(self, data: bytes) -> bytes:
        for name, pattern, handler in self._pipeline:
            self._current = name
            data = pattern.sub(handler, data)
        if self._literal is not None:
            self._current = "environment_secret"
            data = self._literal.sub(self._whole, data)
        return data

    def scan(self, data: bytes) -> dict[str, int]:
        """What redact would still mask in already-redacted data (it is idempotent: nothing)."""
        before = dict(self.counts)
        try:
            self.redact(data)
            return {k: v - before[k] for k, v in self.counts.items() if v != before[k]}
        finally:
            self.counts = before

    # handlers ---------------------------------------------------------------------------
    def _hit(self) -> None:
        self.counts[self._current] += 1

    def mask_of(self, value: bytes) -> bytes:
        """The mask of one value: ``[REDACTED]``, or its own number when ``numbered``."""
        if not self.numbered:
            return MASK
        # the same value quoted, JSON-escaped or bare is one value
        key = value.strip(b"\"'\\ \t\r\n")
        if key not in self._numbers:
            self._numbers[key] = b"[REDACTED-%d]" % (len(self._numbers) + 1)
        return self._numbers[key]

    def _masked(self, value: bytes) -> bytes:
        """Mask a value, keeping surrounding quotes so JSON and configs keep their shape."""
        if len(value) >= 2 and value[:1] in (b'"', b"'") and value[-1:] == value[:1]:
            return value[:1] + self.mask_of(value[1:-1]) + value[:1]
        return self.mask_of(value)

    def _whole(self, m: re.Match[bytes]) -> bytes:
        self._hit()
        return self.mask_of(m.group(0))

    def _pem(self, m: re.Match[bytes]) -> bytes:
        body = m.group("body")
        if MASKED_VALUE.fullmatch(body):
            return m.group(0)
        self._hit()
        label = m.group("label")
        mask = self.mask_of(body)
        if b"PRIVATE KEY" in label:
            # not even the BEGIN line is kept: secret scanners flag it, whatever follows it
            return mask
        return b"-----BEGIN " + label + b"-----" + mask + b"-----END " + label + b"-----"

    def _key_value(self, m: re.Match[bytes]) -> bytes:
        val = m.group("val")
        if _already_masked(val) or val[:1] in (b"{", b"["):
            return m.group(0)
        self._hit()
        return m.group("key") + m.group("sep") + self._masked(val)

    def _inline_kv(self, m: re.Match[bytes]) -> bytes:
        if not _is_sensitive_name(m.group("key")) or m.group("val")[:1] == b"<":
            return m.group(0)  # <set to the key 'cookie' in secret 'rabbit'> (describe)
        return self._key_value(m)

    def _after(self, m: re.Match[bytes]) -> bytes:
        """The value after a fixed prefix (a sub-command, a short flag, a SQL clause)."""
        val = m.group("val")
        if _already_masked(val):
            return m.group(0)
        self._hit()
        return m.group("pre") + self._masked(val)

    def _flag_value(self, m: re.Match[bytes]) -> bytes:
        key = m.group("key")
        name = key.lstrip(b"-")
        val = m.group("val")
        inner = val.strip(b"\"'\\")
        if (not _is_sensitive_name(name) and name.lower() not in _FLAG_WORDS) or _already_masked(
            val
        ):
            return m.group(0)
        if inner[:1] == b"-" or (_BARE_UUID.fullmatch(inner) and not _is_tokenish(name)):
            return m.group(0)  # the next flag, or a reference (virsh --secret <uuid>)
        self._hit()
        groups = m.groupdict()
        if groups.get("pre") is not None:
            return m.group("pre") + self._masked(val) + (groups.get("post") or b"")
        return key + m.group("sep") + self._masked(val)

    def _keyword_value(self, m: re.Match[bytes]) -> bytes:
        key = m.group("key").lower()
        val = m.group("val")
        if key == b"key":
            secret = len(val) >= 16 and _looks_secret(val)
        else:
            secret = _looks_secret(val, near_token=key == b"token")
        if not secret:
            return m.group(0)
        self._hit()
        return m.group("key") + m.group("sep") + self._masked(val)

    def _header(self, m: re.Match[bytes]) -> bytes:
        val = m.group("val")
        if _already_masked(val):
            return m.group(0)
        self._hit()
        return m.group("key") + m.group("sep") + (m.group("scheme") or b"") + self.mask_of(val)

    def _named_value(self, m: re.Match[bytes]) -> bytes:
        val = m.group("val")
        if not _is_sensitive_name(m.group("name")) or _already_masked(val):
            return m.group(0)
        self._hit()
        return m.group("pre") + self._masked(val)

    def _line_kv(self, m: re.Match[bytes]) -> bytes:
        val = m.group("val")
        if not _is_sensitive_name(m.group("name")) or _already_masked(val):
            return m.group(0)
        if val[:1] in (b"{", b"["):
            return m.group(0)
        self._hit()
        return m.group("pre") + self._masked(val) + m.group("post")

    def _aws_line(self, m: re.Match[bytes]) -> bytes:
        def secret(k: re.Match[bytes]) -> bytes:
            value = k.group(0)
            if not (re.search(rb"[a-z]", value) and re.search(rb"[A-Z]", value)):
                return value  # a hex digest, an upper-case id
            self._hit()
            return self.mask_of(value)

        return _AWS_SECRET.sub(secret, m.group(0))

    def _url(self, m: re.Match[bytes]) -> bytes:
        rest = m.group("rest")
        last_at = rest.rfind(b"@")
        if last_at < 0:
            return m.group(0)
        # the authority ends at the first / ? # after the last @ (a password may hold them)
        end = len(rest)
        for sep in (b"/", b"?", b"#"):
            i = rest.find(sep, last_at)
            if i >= 0:
                end = min(end, i)
        authority, tail = rest[:end], rest[end:]
        parts = authority.split(b",")
        changed = False
        for i, part in enumerate(parts):
            userinfo, at, host = part.rpartition(b"@")
            if not at or b":" not in userinfo:
                continue
            user, _, password = userinfo.partition(b":")
            if b"/" in user or _already_masked(password) or re.match(rb"\d{1,5}(?:/|$)", password):
                continue  # host:port/path@x is a path, not userinfo
            # percent-decoded, so that it masks alike the same password in a config file
            mask = self.mask_of(urllib.parse.unquote_to_bytes(password))
            parts[i] = user + b":" + mask + b"@" + host
            changed = True
            self._hit()
        if not changed:
            return m.group(0)
        return m.group("scheme") + b",".join(parts) + tail


# --------------------------------------------------------------------------------------------
# The post-write self-scan: its own detectors, sharing no rule with the Redactor above, so a
# shape the redaction does not know is not invisible to the check as well
# --------------------------------------------------------------------------------------------

_SCAN_MASKED = ("[REDACTED", "****", "<set to the key", "null", "None", "")
_SCAN_TOKEN = re.compile(r"[A-Za-z0-9+/_=-]{24,}")
_SCAN_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s\"'<>]+")
_SCAN_FORMATS = (
    ("aws_key_id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("ceph_key_shape", re.compile(r"(?<![A-Za-z0-9+/])AQ[A-Za-z0-9+/]{36}==")),
    ("jwt_shape", re.compile(r"(?<![\w-])eyJ[\w-]{6,}\.eyJ[\w-]{6,}\.[\w-]{6,}")),
    ("fernet_shape", re.compile(r"(?<![\w-])gAAAAA[\w=-]{50,}")),
    ("erlang_cookie_shape", re.compile(r"(?m)^[A-Z]{20}$|-setcookie\s+(?!\[REDACTED)\S")),
)
_SCAN_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY[A-Z ]*-----\s*(?!\[REDACTED)\S")
# a keyword, an optional separator, then a value with upper case, lower case and digits
_SCAN_KEYWORD = re.compile(
    r"(?i)(?:pass(?:word|wd)?|secret|token|cookie|creds?)[\"'\]]?\s*(?:[:=,]|\s|<<)\s*"
    r"[\"'<]{0,2}([^\s\"'<>,;|]{8,})"
)


def _scan_entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    total = len(text)
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def _scan_mixed(value: str) -> bool:
    return (
        any(c.isdigit() for c in value)
        and any(c.islower() for c in value)
        and any(c.isupper() for c in value)
    )


class SecretScanner:
    """Reports (per detector, a count; never the value) what looks like a secret in data.

    Detectors: a high-entropy check of long random-looking tokens (hex strings, UUIDs and
    request ids are ids, never flagged), password-shaped values after a credential word, URL
    userinfo (parsed with urllib), private-key blocks and a few known key formats.
    """

    def scan(self, data: bytes) -> dict[str, int]:
        text = data.decode("utf-8", errors="replace")
        found: dict[str, int] = {}

        def add(rule: str, n: int = 1) -> None:
            if n:
                found[rule] = found.get(rule, 0) + n

        add("private_key_block", len(_SCAN_PRIVATE_KEY.findall(text)))
        for rule, pattern in _SCAN_FORMATS:
            add(rule, len(pattern.findall(text)))
        for m in _SCAN_URL.finditer(text):
            add("url_userinfo", self._url_passwords(m.group(0)))
        for m in _SCAN_KEYWORD.finditer(text):
            value = m.group(1).rstrip(").}]>")
            if not value.startswith(_SCAN_MASKED[:3]) and _scan_mixed(value):
                add("credential_word")
        for m in _SCAN_TOKEN.finditer(text):
            token = m.group(0).strip("=-_")
            if (
                len(token) >= 24
                and _scan_mixed(token)
                and not re.fullmatch(r"[0-9a-fA-F-]+", token)
                and _scan_entropy(token) >= 4.0
            ):
                add("high_entropy")
        return found

    @staticmethod
    def _url_passwords(url: str) -> int:
        scheme, _, rest = url.partition("://")
        authority = rest
        last_at = rest.rfind("@")
        if last_at < 0:
            return 0
        for sep in "/?#":
            i = rest.find(sep, last_at)
            if i >= 0:
                authority = authority[: min(len(authority), i)]
        n = 0
        for host in authority.split(","):
            try:
                password = urllib.parse.urlsplit(f"{scheme}://{host}/").password
            except ValueError:
                continue
            if not password or password in _SCAN_MASKED or password.startswith(_SCAN_MASKED[:3]):
                continue
            if not password.isdigit():
                n += 1
        return n


# --------------------------------------------------------------------------------------------
# Obfuscation (opt-in): stable pseudonyms for hostnames and IP addresses
# --------------------------------------------------------------------------------------------

_TLDS = (
    "com|net|org|edu|gov|io|co|local|lan|internal|intranet|corp|localdomain|home|cloud|example"
    "|test|biz|info|de|uk|fr|nl|jp|au|ca|us|ch|se|it|es|in|eu"
)
_FQDN = re.compile(
    rb"(?<![A-Za-z0-9.-])((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:"
    + _TLDS.encode()
    + rb"))(?![A-Za-z0-9-])",
    re.I,
)
_IPV4 = re.compile(rb"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d)")
_IPV6 = re.compile(rb"(?<![\w:.-])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:.-])")
_HOST_STOPWORDS = {
    "localhost",
    "host",
    "none",
    "null",
    "unknown",
    "nova",
    "compute",
    "conductor",
    "scheduler",
    "api",
    "rabbitmq",
    "broker",
    "rabbit",
    "controller",
    "default",
}
_CLUSTER_SUFFIXES = (".svc.cluster.local", ".cluster.local", ".svc")
# Names that identify software, not a site: label keys (app.kubernetes.io/name), registries.
_PUBLIC_DOMAINS = (
    "kubernetes.io",
    "k8s.io",
    "docker.io",
    "docker.com",
    "quay.io",
    "gcr.io",
    "ghcr.io",
    "github.com",
    "openstack.org",
    "rabbitmq.com",
    "erlang.org",
    "python.org",
)


def _is_public_name(name: str) -> bool:
    return any(name == d or name.endswith("." + d) for d in _PUBLIC_DOMAINS)


class Obfuscator:
    """Replaces hostnames and IPs with pseudonyms; the same input always gets the same name.

    IPv4: each /24 network gets a pseudonymous network (198.18.0.0/15 first) and the host
    octet is kept, so two addresses of one subnet stay in one subnet. Hostnames: the short
    name and the domain are mapped separately (``hv-04.example.com`` ->
    ``host-001.domain-01.invalid``). The mapping lives outside the bundle and can be reused.
    """

    def __init__(self, mapping: dict[str, Any] | None = None) -> None:
        mapping = mapping or {}
        self.hosts: dict[str, str] = dict(mapping.get("hosts", {}))
        self.domains: dict[str, str] = dict(mapping.get("domains", {}))
        self.networks: dict[str, str] = dict(mapping.get("ipv4_networks", {}))
        self.ipv6: dict[str, str] = dict(mapping.get("ipv6", {}))
        self.known: set[str] = set(mapping.get("known_names", []))
        self.replaced = {"hosts": 0, "addresses": 0}
        self._known_re: re.Pattern[bytes] | None = None
        self._known_size = -1

    def to_mapping(self) -> dict[str, Any]:
        return {
            "comment": "pcd-collect pseudonyms. Keep this file; do not attach it to a ticket.",
            "hosts": self.hosts,
            "domains": self.domains,
            "ipv4_networks": self.networks,
            "ipv6": self.ipv6,
            "known_names": sorted(self.known),
        }

    @staticmethod
    def _is_cluster_name(name: str) -> bool:
        return name.endswith(_CLUSTER_SUFFIXES)

    def learn(self, name: object) -> None:
        """Remember a hostname seen in structured data, so free text mentioning it is masked."""
        if not isinstance(name, str):
            return
        name = name.strip().lower().rstrip(".")
        if (
            len(name) < 3
            or name in _HOST_STOPWORDS
            or UUID_RE.match(name)
            or self._is_cluster_name(name)
            or not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", name)
        ):
            return
        try:
            ipaddress.ip_address(name)
            return
        except ValueError:
            pass
        self.known.add(name)
        if "." in name:
            short = name.split(".", 1)[0]
            if len(short) >= 3 and short not in _HOST_STOPWORDS:
                self.known.add(short)

    def learn_rows(self, doc: Any) -> None:
        """Hosts of a ``-f json`` list (compute services, servers)."""
        for row in doc if isinstance(doc, list) else []:
            # a compute service's Host is a hypervisor; a conductor's is often its pod name
            if isinstance(row, dict) and row.get("Binary") in (None, "nova-compute"):
                self.learn(row.get("Host"))

    def learn_show(self, doc: Any) -> None:
        """The hypervisor of a ``server show``."""
        if isinstance(doc, dict):
            for key in ("OS-EXT-SRV-ATTR:host", "OS-EXT-SRV-ATTR:hypervisor_hostname"):
                self.learn(doc.get(key))

    def learn_pods(self, doc: Any) -> None:
        """The nodes of a ``kubectl get pods -o json``."""
        items = doc.get("items") if isinstance(doc, dict) else None
        for pod in items if isinstance(items, list) else []:
            if isinstance(pod, dict) and isinstance(pod.get("spec"), dict):
                self.learn(pod["spec"].get("nodeName"))

    def learn_from(self, doc: Any) -> None:
        """Any of the three above, by the document's shape (a bundle read back, not run)."""
        self.learn_rows(doc)
        self.learn_show(doc)
        self.learn_pods(doc)

    def host(self, name: str) -> str:
        """The pseudonym of a hostname (short or fully qualified)."""
        name = name.lower().rstrip(".")
        short, dot, domain = name.partition(".")
        if short not in self.hosts:
            self.hosts[short] = f"host-{len(self.hosts) + 1:03d}"
        pseudo = self.hosts[short]
        if dot:
            if domain not in self.domains:
                self.domains[domain] = f"domain-{len(self.domains) + 1:02d}.invalid"
            pseudo += "." + self.domains[domain]
        return pseudo

    def _network(self, prefix: str) -> str:
        if prefix not in self.networks:
            n = len(self.networks)
            self.networks[prefix] = (
                f"198.{18 + n // 256}.{n % 256}" if n < 512 else f"10.{(n // 256) % 256}.{n % 256}"
            )
        return self.networks[prefix]

    def apply(self, data: bytes) -> bytes:
        data = _IPV4.sub(self._ipv4, data)
        data = _IPV6.sub(self._ipv6, data)
        data = _FQDN.sub(self._fqdn, data)
        pattern = self._known_pattern()
        if pattern is not None:
            data = pattern.sub(self._known_name, data)
        return data

    def apply_text(self, text: str) -> str:
        return self.apply(text.encode()).decode("utf-8", errors="replace")

    def _ipv4(self, m: re.Match[bytes]) -> bytes:
        octets = [int(g) for g in m.groups()]
        if any(o > 255 for o in octets) or octets[0] in (0, 127) or octets[0] >= 224:
            return m.group(0)
        self.replaced["addresses"] += 1
        prefix = ".".join(str(o) for o in octets[:3])
        return f"{self._network(prefix)}.{octets[3]}".encode()

    def _ipv6(self, m: re.Match[bytes]) -> bytes:
        text = m.group(0).decode()
        try:
            addr = ipaddress.IPv6Address(text)
        except ValueError:
            return m.group(0)
        if (
            addr.is_loopback
            or addr.is_unspecified
            or (text.count(":") < 7 and "::" not in text)
            or not re.search(r"[a-fA-F]", text)  # 2026::09:10:44 is an Erlang date, not an IP
        ):
            return m.group(0)
        key = addr.exploded
        if key not in self.ipv6:
            self.ipv6[key] = f"fd00:0:0:{len(self.ipv6) + 1:x}::1"
        self.replaced["addresses"] += 1
        return self.ipv6[key].encode()

    def _fqdn(self, m: re.Match[bytes]) -> bytes:
        name = m.group(1).decode().lower()
        if self._is_cluster_name(name) or name.endswith(".invalid") or _is_public_name(name):
            return m.group(0)
        self.replaced["hosts"] += 1
        return self.host(name).encode()

    def _known_pattern(self) -> re.Pattern[bytes] | None:
        if not self.known:
            return None
        if self._known_re is None or self._known_size != len(self.known):
            names = sorted(self.known, key=len, reverse=True)
            alternation = b"|".join(re.escape(n.encode()) for n in names)
            self._known_re = re.compile(
                rb"(?<![A-Za-z0-9.])(?:" + alternation + rb")(?![A-Za-z0-9])", re.I
            )
            self._known_size = len(self.known)
        return self._known_re

    def _known_name(self, m: re.Match[bytes]) -> bytes:
        self.replaced["hosts"] += 1
        return self.host(m.group(0).decode()).encode()

    def leaks(self, data: bytes) -> list[str]:
        """Real names or addresses still present in data (used by the post-write scan)."""
        found: list[str] = []
        pattern = self._known_pattern()
        if pattern is not None and pattern.search(data):
            found.append("hostname")
        pseudo_nets = set(self.networks.values())
        for m in _IPV4.finditer(data):
            octets = [int(g) for g in m.groups()]
            if any(o > 255 for o in octets) or octets[0] in (0, 127) or octets[0] >= 224:
                continue
            if ".".join(str(o) for o in octets[:3]) not in pseudo_nets:
                found.append("ip address")
                break
        return found


# --------------------------------------------------------------------------------------------
# Running commands: argument lists, a timeout each, the process group killed on timeout
# --------------------------------------------------------------------------------------------


class Stop:
    """Set by SIGINT/SIGTERM/SIGHUP; checked between steps and while waiting on commands."""

    def __init__(self) -> None:
        self.requested = False
        self.signal_name = ""

    def handler(self, signum: int, frame: object) -> None:
        self.requested = True
        self.signal_name = signal.Signals(signum).name


class _Drain(threading.Thread):
    """Reads one pipe to the end, keeping at most ``cap`` bytes (the first or the last)."""

    def __init__(self, stream: IO[bytes], cap: int, keep_tail: bool) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.cap = cap
        self.keep_tail = keep_tail
        self.chunks: deque[bytes] = deque()
        self.size = 0
        self.overflow = False

    def run(self) -> None:
        fd = self.stream.fileno()
        try:
            while True:
                chunk = os.read(fd, 64 * KIB)
                if not chunk:
                    return
                if self.keep_tail:
                    self.chunks.append(chunk)
                    self.size += len(chunk)
                    while self.chunks and self.size - len(self.chunks[0]) >= self.cap:
                        self.size -= len(self.chunks.popleft())
                        self.overflow = True
                elif self.size < self.cap:
                    room = self.cap - self.size
                    self.chunks.append(chunk[:room])
                    self.size += min(room, len(chunk))
                    self.overflow = self.overflow or len(chunk) > room
                else:
                    self.overflow = True
        except (OSError, ValueError):
            return

    def data(self) -> tuple[bytes, bool]:
        raw = b"".join(list(self.chunks))
        if self.keep_tail and len(raw) > self.cap:
            raw = raw[-self.cap :]
            self.overflow = True
        if self.keep_tail and self.overflow:
            newline = raw.find(b"\n")
            raw = raw[newline + 1 :] if newline >= 0 else raw
        return raw, self.overflow


@dataclass
class CommandResult:
    argv: list[str]
    started_at: dt.datetime
    duration_s: float = 0.0
    exit_code: int | None = None
    stdout: bytes = b""
    stderr: bytes = b""
    stdout_capped: bool = False
    timed_out: bool = False
    interrupted: bool = False
    start_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.interrupted


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(OSError):
            proc.kill()


def run_command(
    argv: list[str], timeout: float, cap: int, keep_tail: bool, stop: Stop
) -> CommandResult:
    """Run one read-only command. Never raises, never waits longer than ``timeout``."""
    result = CommandResult(argv=argv, started_at=utc_now())
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
            start_new_session=hasattr(os, "killpg"),
        )
    except FileNotFoundError:
        result.start_error = f"command not found: {argv[0]}"
        return result
    except OSError as exc:
        result.start_error = f"cannot run {argv[0]}: {exc.strerror or exc}"
        return result
    except ValueError as exc:  # an argument with a NUL byte: no argv can carry it
        result.start_error = f"cannot run {argv[0]}: {exc}"
        return result
    assert proc.stdout is not None
    assert proc.stderr is not None
    out = _Drain(proc.stdout, cap, keep_tail)
    err = _Drain(proc.stderr, STDERR_CAP, keep_tail=True)
    out.start()
    err.start()
    deadline = start + timeout
    while True:
        try:
            proc.wait(timeout=POLL_S)
            break
        except subprocess.TimeoutExpired:
            if stop.requested:
                result.interrupted = True
            elif time.monotonic() >= deadline:
                result.timed_out = True
            else:
                continue
            _kill_group(proc)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=2)
            break
    # A child that escaped the process group may still hold the pipes: bounded wait, no more.
    out.join(DRAIN_JOIN_S)
    err.join(DRAIN_JOIN_S)
    result.duration_s = round(time.monotonic() - start, 3)
    result.exit_code = proc.returncode
    result.stdout, result.stdout_capped = out.data()
    result.stderr, _ = err.data()
    for drain in (out, err):
        if not drain.is_alive():
            drain.stream.close()
    return result


# --------------------------------------------------------------------------------------------
# Hypervisor logs: rotations merged oldest first, cut to the time window and a byte cap
# --------------------------------------------------------------------------------------------

_LINE_TS = re.compile(
    rb"^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,]\d{1,9})?[ ]?(Z|[+-]\d\d:?\d\d)?"
)
_LOG_NAME = re.compile(
    r"^(?P<base>.+?\.log)(?:\.(?P<number>\d+)|-(?P<date>\d{8,10}))?(?P<gz>\.gz)?$"
)


class LineClock:
    """Epoch seconds of a log line's leading timestamp; zone-less times are local time."""

    def __init__(self) -> None:
        self._minutes: dict[bytes, float] = {}

    def __call__(self, line: bytes) -> float | None:
        m = _LINE_TS.match(line)
        if not m:
            return None
        year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
        zone = m.group(7)
        try:
            if zone:
                if zone == b"Z":
                    offset = 0
                else:
                    digits = zone[1:].replace(b":", b"")
                    offset = int(digits[:2]) * 3600 + int(digits[2:]) * 60
                    offset = -offset if zone[:1] == b"-" else offset
                moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.timezone.utc)
                return moment.timestamp() - offset
            key = line[:16]
            base = self._minutes.get(key)
            if base is None:
                base = time.mktime((year, month, day, hour, minute, 0, 0, 0, -1))
                self._minutes[key] = base
            return base + second
        except (ValueError, OverflowError):
            return None


def find_log_families(root: str, limit: int) -> list[tuple[str, list[str]]]:
    """``[(bundle file name, [paths newest first]), ...]`` for ``root/*.log`` and one level down.

    A family is ``X.log`` with its rotations ``X.log.1``, ``X.log.2.gz``, ``X.log-20260301``.
    """
    families: dict[str, tuple[str, list[tuple[tuple[int, int], str]]]] = {}
    dirs = [root]
    try:
        dirs += sorted(
            os.path.join(root, d)
            for d in os.listdir(root)
            if os.path.isdir(os.path.join(root, d)) and not os.path.islink(os.path.join(root, d))
        )
    except OSError:
        return []
    for directory in dirs:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            m = _LOG_NAME.match(name)
            if not m:
                continue
            if m.group("number") is not None:
                order = (1, int(m.group("number")))
            elif m.group("date") is not None:
                order = (2, -int(m.group("date")))
            elif m.group("gz"):
                order = (3, 0)
            else:
                order = (0, 0)  # the current file
            base = m.group("base")
            families.setdefault(os.path.join(directory, base), (base, []))[1].append(
                (order, os.path.join(directory, name))
            )
    result: list[tuple[str, list[str]]] = []
    used: set[str] = set()
    for key in sorted(families, key=lambda k: (os.path.dirname(k) != root, k)):
        bundle_name, members = families[key]
        if bundle_name in used:
            parent = os.path.basename(os.path.dirname(key))
            bundle_name = f"{parent}-{bundle_name}"
        used.add(bundle_name)
        result.append((safe_component(bundle_name), [p for _, p in sorted(members)]))
    result.sort(key=lambda fam: (fam[0] != "ostackhost.log", fam[0]))
    return result[:limit]


@dataclass
class LogCut:
    data: bytes = b""
    sources: list[str] = field(default_factory=list)
    truncated: str | None = None  # "byte cap" | "time budget" | "interrupted"
    errors: list[str] = field(default_factory=list)


def _tail_lines(
    path: str, raw: IO[bytes], need: int, should_stop: Callable[[], str | None]
) -> tuple[list[bytes], bool, str | None]:
    """The last ``need`` bytes of an open file as whole lines; whether it was read whole."""
    if path.endswith(".gz"):
        lines: deque[bytes] = deque()
        size = 0
        complete = True
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as fh:
                for count, line in enumerate(fh):
                    lines.append(line)
                    size += len(line)
                    while size > need and lines:
                        size -= len(lines.popleft())
                        complete = False
                    if count % 4096 == 0:
                        reason = should_stop()
                        if reason:
                            return list(lines), False, reason
        except (OSError, EOFError, zlib.error) as exc:
            return list(lines), complete, f"corrupt gzip data ({exc})"
        return list(lines), complete, None
    size = os.fstat(raw.fileno()).st_size
    if size <= need:
        return raw.read(need + 1).splitlines(keepends=True), True, None
    raw.seek(size - need)
    data = raw.read(need)
    newline = data.find(b"\n")
    return data[newline + 1 :].splitlines(keepends=True), False, None


def _window_start(lines: list[bytes], since: float, clock: LineClock) -> tuple[int, bool]:
    """Index of the first record at or after ``since``; whether older records were seen."""
    saw_older = False
    for i, line in enumerate(lines):
        moment = clock(line)
        if moment is None:
            continue
        if moment >= since:
            return i, saw_older
        saw_older = True
    return (len(lines), True) if saw_older else (0, False)


def cut_log_family(
    paths: list[str], since: float, cap: int, should_stop: Callable[[], str | None]
) -> LogCut:
    """Newest ``cap`` bytes of the family's records since ``since``, oldest first."""
    cut = LogCut()
    clock = LineClock()
    pieces: list[list[bytes]] = []
    have = 0
    for path in paths:  # newest first
        try:
            # a link (to /etc/shadow, say) is refused and a FIFO never blocks: open_regular
            raw = open_regular(path)
        except OSError as exc:
            cut.errors.append(f"{path}: {exc.strerror}")
            continue
        with raw:
            if os.fstat(raw.fileno()).st_mtime < since:
                break  # last written before the window: it and every older rotation are out
            reason = should_stop()
            if reason:
                cut.truncated = reason
                break
            try:
                lines, complete, problem = _tail_lines(path, raw, cap - have, should_stop)
            except OSError as exc:
                cut.errors.append(f"{path}: {exc.strerror}")
                continue
        if problem:
            if problem in ("time budget", "interrupted"):
                cut.truncated = problem
            else:
                cut.errors.append(f"{path}: {problem}")
        start, reached_older = _window_start(lines, since, clock)
        kept = lines[start:]
        pieces.append(kept)
        cut.sources.append(path)
        have += sum(len(line) for line in kept)
        if reached_older or cut.truncated:
            break
        if not complete or have >= cap:
            cut.truncated = "byte cap"
            break
    lines = [line for piece in reversed(pieces) for line in piece]
    if cut.truncated:
        # the oldest lines may be a record's continuation: start at a record boundary
        first = next((i for i, line in enumerate(lines) if clock(line) is not None), 0)
        lines = lines[first:]
    cut.sources.reverse()
    cut.data = b"".join(lines)
    return cut


# --------------------------------------------------------------------------------------------
# Host identity and clock
# --------------------------------------------------------------------------------------------


def local_timezone_name() -> str:
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and not tz.startswith("/"):
        return tz
    target = tz or "/etc/localtime"
    try:
        resolved = os.path.realpath(target)
        if "zoneinfo/" in resolved:
            return resolved.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as fh:
            name = fh.read().strip()
            if name:
                return name
    except OSError:
        pass
    return time.tzname[time.localtime().tm_isdst > 0]


def clock_info(now: dt.datetime) -> dict[str, Any]:
    local = now.astimezone()
    offset = local.utcoffset() or dt.timedelta(0)
    return {
        "utc": iso_z(now),
        "local": local.isoformat(timespec="seconds"),
        "utc_offset_s": int(offset.total_seconds()),
        "timezone": local_timezone_name(),
    }


def read_host_id(path: str) -> str | None:
    """``host_id = ...`` of the hostagent config; a FIFO or device there is never opened."""
    try:
        with open_regular(path, follow=True) as fh:
            text = fh.read(64 * KIB).decode("utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "host_id" and value.strip():
            return value.strip()
    return None


# --------------------------------------------------------------------------------------------
# The bundle: a .tgz written member by member, published under its final name at the end
# --------------------------------------------------------------------------------------------


class BundleWriter:
    def __init__(self, final_path: str, root: str, mtime: float) -> None:
        self.final_path = final_path
        self.partial_path = final_path + ".partial"
        self.root = root
        self.mtime = int(mtime)
        self.files: dict[str, dict[str, Any]] = {}
        self.total = 0
        # O_EXCL: never reuse or follow whatever already has this name (a planted link)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
        fd = os.open(self.partial_path, flags, 0o600)
        self._fh = os.fdopen(fd, "wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._fh, mtime=self.mtime)
        self._tar = tarfile.open(  # noqa: SIM115 - closed in close()
            fileobj=self._gz, mode="w", format=tarfile.PAX_FORMAT
        )

    def add(self, path: str, data: bytes) -> tuple[int, str]:
        parts = path.split("/")
        if path in self.files or any(p in ("", ".", "..") for p in parts) or path == "":
            raise ValueError(f"refusing bundle member name {path!r}")
        info = tarfile.TarInfo(f"{self.root}/{path}")
        info.size = len(data)
        info.mtime = self.mtime
        info.mode = 0o644
        self._tar.addfile(info, io.BytesIO(data))
        digest = hashlib.sha256(data).hexdigest()
        self.files[path] = {"bytes": len(data), "sha256": digest}
        self.total += len(data)
        return len(data), digest

    def close(self) -> None:
        self._tar.close()
        self._gz.close()
        self._fh.close()

    def publish(self) -> None:
        """Give the bundle its final name; never replaces an existing file."""
        try:
            os.link(self.partial_path, self.final_path)
        except FileExistsError:
            raise UsageError(f"{self.final_path} already exists; not overwritten") from None
        except OSError:
            if os.path.exists(self.final_path):
                raise UsageError(f"{self.final_path} already exists; not overwritten") from None
            os.rename(self.partial_path, self.final_path)
            return
        os.unlink(self.partial_path)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.partial_path)


def _manifest_for_scan(data: bytes) -> bytes:
    """The manifest without its rule counts (``"password_kv": 3`` is a count, not a secret)."""
    doc = load_json(data)
    if not isinstance(doc, dict):
        return data
    doc.pop("redaction", None)
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def scan_bundle(path: str, obfuscator: Obfuscator | None) -> list[str]:
    """Read the written bundle back; every member that still looks like it holds a secret.

    The check is SecretScanner, not the redaction rules: a shape the redaction missed is
    likely to be missed again by the same rules, so the scan has detectors of its own.
    """
    problems: list[str] = []
    scanner = SecretScanner()
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            fh = tar.extractfile(member) if member.isfile() else None
            if fh is None:
                continue
            data = fh.read()
            name = member.name.split("/", 1)[-1]
            if name == "manifest.json":
                data = _manifest_for_scan(data)
            for rule, count in sorted(scanner.scan(data).items()):
                problems.append(f"{name}: {count} value(s) matching rule {rule}")
            if obfuscator is not None:
                problems.extend(f"{name}: unobfuscated {kind}" for kind in obfuscator.leaks(data))
    return problems


# --------------------------------------------------------------------------------------------
# What is collected: the commands (shared by the run and by --dry-run)
# --------------------------------------------------------------------------------------------


@dataclass
class Options:
    output_dir: str
    output: str | None
    since: dt.datetime
    namespace: str | None
    deployment: str
    region: str | None
    pf9_log_dir: str
    host_id_file: str
    pcdctl: str
    kubectl: str
    openstack: bool
    kubernetes: bool
    host_logs: bool
    command_timeout: float
    time_budget: float
    size_budget: int
    log_cap: int
    pod_log_cap: int
    output_cap: int
    max_server_show: int
    max_pods: int
    max_log_files: int
    obfuscate: bool
    obfuscation_map: str | None
    dry_run: bool
    quiet: bool


def pcdctl_commands(cli: str) -> list[tuple[str, list[str]]]:
    base = [cli, "server", "list", "--all-projects", "--long"]
    return [
        (
            "openstack/compute-services.json",
            [cli, "compute", "service", "list", "--long", "-f", "json"],
        ),
        ("openstack/servers.json", [*base, "-f", "json"]),
        ("openstack/servers-build.json", [*base, "--status", "BUILD", "-f", "json"]),
        ("openstack/servers-error.json", [*base, "--status", "ERROR", "-f", "json"]),
    ]


def server_show_argv(cli: str, server_id: str) -> list[str]:
    return [cli, "server", "show", _operand(server_id), "-f", "json"]


def discover_argv(cli: str) -> list[str]:
    columns = "NAMESPACE:.metadata.namespace,NAME:.metadata.name"
    return [
        cli,
        "get",
        "deployments,statefulsets",
        "--all-namespaces",
        "--no-headers",
        "-o",
        f"custom-columns={columns}",
    ]


def kubectl_commands(cli: str, ns: str) -> list[tuple[str, list[str]]]:
    ns = _operand(ns)
    return [
        ("kubernetes/pods.json", [cli, "-n", ns, "get", "pods", "-o", "json"]),
        ("kubernetes/events.json", [cli, "-n", ns, "get", "events", "-o", "json"]),
    ]


def describe_argv(cli: str, ns: str, pod: str) -> list[str]:
    return [cli, "-n", _operand(ns), "describe", "pod", _operand(pod)]


def logs_argv(
    cli: str, ns: str, pod: str, container: str, previous: bool, since_s: int
) -> list[str]:
    argv = [cli, "-n", _operand(ns), "logs", _operand(pod), "-c", _operand(container)]
    argv.append("--timestamps")
    return [*argv, "--previous"] if previous else [*argv, f"--since={since_s}s"]


@dataclass
class PodTarget:
    name: str
    role: str
    containers: list[tuple[str, bool]]  # (name, restarted: has a previous instance)


def select_pods(
    pods_doc: Any, limit: int, rejected: list[str] | None = None
) -> tuple[list[PodTarget], int]:
    """Messaging-layer, nova-conductor, nova-scheduler and nova-api pods; how many were left.

    Pod and container names that are not Kubernetes names (``;``, ``$(...)``, ``../``, a
    leading ``-``) are never passed to kubectl; they are appended to ``rejected``.
    """
    refused = rejected if rejected is not None else []
    items = pods_doc.get("items") if isinstance(pods_doc, dict) else None
    targets: list[tuple[int, str, PodTarget]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        meta = item.get("metadata") or {}
        name = meta.get("name") if isinstance(meta, dict) else None
        if not isinstance(name, str):
            continue
        if not K8S_NAME_RE.match(name) or refused_operand(name):
            refused.append(name)
            continue
        rank = next((i for i, (_, rx) in enumerate(POD_ROLES) if rx.search(name)), None)
        if rank is None:
            continue
        spec = item.get("spec")
        status = item.get("status")
        statuses = status.get("containerStatuses") if isinstance(status, dict) else None
        restarted: dict[str, bool] = {}
        for cs in statuses if isinstance(statuses, list) else []:
            if isinstance(cs, dict) and isinstance(cs.get("name"), str):
                count = cs.get("restartCount")
                last = cs.get("lastState")
                restarted[cs["name"]] = (isinstance(count, int) and count > 0) or (
                    isinstance(last, dict) and bool(last.get("terminated"))
                )
        specs = spec.get("containers") if isinstance(spec, dict) else None
        containers = []
        for c in specs if isinstance(specs, list) else []:
            cname = c.get("name") if isinstance(c, dict) else None
            if not isinstance(cname, str):
                continue
            if K8S_NAME_RE.match(cname) and not refused_operand(cname):
                containers.append((cname, restarted.get(cname, False)))
            else:
                refused.append(f"{name}/{cname}")
        targets.append((rank, name, PodTarget(name, POD_ROLES[rank][0], containers)))
    targets.sort(key=lambda t: (t[0], t[1]))
    chosen = [t[2] for t in targets[:limit]]
    return chosen, max(0, len(targets) - limit)


def server_ids(
    doc: Any, statuses: Iterable[str] | None = None, rejected: list[str] | None = None
) -> list[str]:
    """IDs of the servers in ``statuses``; IDs that are not plain IDs go to ``rejected``."""
    wanted = set(statuses) if statuses else None
    ids: list[str] = []
    for row in doc if isinstance(doc, list) else []:
        if not isinstance(row, dict):
            continue
        sid = row.get("ID", row.get("id"))
        status = str(row.get("Status", row.get("status", ""))).upper()
        if not isinstance(sid, str) or (wanted and status not in wanted):
            continue
        if SERVER_ID_RE.match(sid) and not refused_operand(sid):
            ids.append(sid)
        elif rejected is not None:
            rejected.append(sid)
    return ids


# --------------------------------------------------------------------------------------------
# The collection run
# --------------------------------------------------------------------------------------------


@dataclass
class Item:
    path: str
    command: list[str] | None = None
    source: str | None = None
    exit_code: int | None = None
    started_at: str | None = None
    duration_s: float = 0.0
    timed_out: bool = False
    error: str | None = None
    bytes: int | None = None
    sha256: str | None = None
    sources: list[str] | None = None
    stderr_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "path": self.path,
            "command": self.command,
            "source": self.source,
            "exit_code": self.exit_code,
            "started_at": self.started_at,
            "duration_s": self.duration_s,
            "timed_out": self.timed_out,
            "error": self.error,
            "bytes": self.bytes,
            "sha256": self.sha256,
        }
        if self.sources is not None:
            d["sources"] = self.sources
        if self.stderr_path is not None:
            d["stderr_path"] = self.stderr_path
        return d

    @property
    def failed(self) -> bool:
        return self.error is not None or self.timed_out or self.exit_code not in (0, None)


class Collector:
    def __init__(
        self,
        opts: Options,
        writer: BundleWriter,
        redactor: Redactor,
        obfuscator: Obfuscator | None,
        stop: Stop,
        hostname: str,
    ) -> None:
        self.opts = opts
        self.writer = writer
        self.redactor = redactor
        self.obfuscator = obfuscator
        self.stop = stop
        self.hostname = hostname
        self.items: list[Item] = []
        self.truncated: list[dict[str, str]] = []
        self.notes: list[str] = []
        self.started = time.monotonic()
        self.deadline = self.started + opts.time_budget
        # commands stop a little early so the local files and the manifest still fit
        self.command_deadline = self.deadline - min(30.0, opts.time_budget * 0.1)
        self.openstack_ok = False
        self.kubernetes_access = False
        self.namespace: str | None = opts.namespace
        self.since_s = max(1, int((utc_now() - opts.since).total_seconds()))

    # bookkeeping ---------------------------------------------------------------------------
    def step(self, name: str, run: Callable[[], None]) -> None:
        """One source; a bug in it is a note in the manifest, and the other sources go on."""
        try:
            run()
        except Exception as exc:  # noqa: BLE001 - fail forward, like a failed command
            detail = self.clean_text(f"{type(exc).__name__}: {exc}")
            self.notes.append(f"{name} collection stopped by an internal error ({detail})")
            self.progress(f"{name}: internal error ({detail})")

    def progress(self, text: str) -> None:
        if not self.opts.quiet:
            elapsed = time.monotonic() - self.started
            print(f"[{elapsed:6.1f}s] {text}", file=sys.stderr, flush=True)

    def skip_reason(self, commands: bool = False) -> str | None:
        if self.stop.requested:
            return "interrupted"
        now = time.monotonic()
        if now >= (self.command_deadline if commands else self.deadline):
            return "time budget"
        if self.writer.total >= self.opts.size_budget:
            return "size budget"
        return None

    def mark_truncated(self, path: str, reason: str) -> None:
        entry = {"path": path, "reason": reason}
        if entry not in self.truncated:
            self.truncated.append(entry)

    def skipped(self, item: Item, reason: str) -> None:
        item.error = f"not collected: {reason}"
        self.mark_truncated(item.path, reason)
        self.items.append(item)
        self.progress(f"{item.path}: skipped ({reason})")

    def refused(self, what: str, names: list[str], tool: str) -> None:
        """One manifest note for names from a tool's output that were never passed on."""
        unique = list(dict.fromkeys(names))
        if not unique:
            return
        shown = ", ".join(self.clean_text(shown_name(n)) for n in unique[:5])
        more = f" and {len(unique) - 5} more" if len(unique) > 5 else ""
        self.notes.append(
            f"skipped {len(unique)} {what} that are not plain names (never passed to "
            f"{tool}): {shown}{more}"
        )
        self.progress(f"skipped {len(unique)} {what}: not plain names")

    def clean(self, data: bytes) -> bytes:
        data = self.redactor.redact(data)
        if self.obfuscator is not None:
            data = self.obfuscator.apply(data)
        return data

    def shown(self, text: str) -> str:
        """A path or argument as the bundle shows it (with pseudonyms under --obfuscate)."""
        return self.obfuscator.apply_text(text) if self.obfuscator is not None else text

    def clean_text(self, text: str) -> str:
        return self.clean(text.encode()).decode("utf-8", errors="replace")

    def store(self, item: Item, data: bytes, keep_tail: bool) -> None:
        """Redact, obfuscate, apply the size budget and write one member."""
        data = self.clean(data)
        room = self.opts.size_budget - self.writer.total
        if len(data) > room:
            if not keep_tail or room <= 0:
                item.error = (item.error + "; " if item.error else "") + "not written: size budget"
                self.mark_truncated(item.path, "size budget")
                return
            data = data[-room:]
            data = data[data.find(b"\n") + 1 :]
            self.mark_truncated(item.path, "size budget")
        item.bytes, item.sha256 = self.writer.add(item.path, data)

    # commands ------------------------------------------------------------------------------
    def run(
        self,
        path: str,
        argv: list[str],
        cap: int | None = None,
        keep_tail: bool = False,
        learn: Callable[[Any], None] | None = None,
    ) -> CommandResult | None:
        item = Item(path=self.shown(path), command=[self.shown(a) for a in argv])
        reason = self.skip_reason(commands=True)
        if reason:
            self.skipped(item, reason)
            return None
        remaining = self.command_deadline - time.monotonic()
        timeout = min(self.opts.command_timeout, remaining)
        res = run_command(argv, timeout, cap or self.opts.output_cap, keep_tail, self.stop)
        item.started_at = iso_z(res.started_at)
        item.duration_s = res.duration_s
        item.exit_code = res.exit_code
        item.timed_out = res.timed_out
        if learn is not None and self.obfuscator is not None and res.stdout:
            learn(load_json(res.stdout))
        if res.start_error:
            item.error = res.start_error
        elif res.interrupted:
            item.error = f"interrupted after {res.duration_s:.1f} s"
            self.mark_truncated(item.path, "interrupted")
        elif res.timed_out:
            item.error = f"timed out after {res.duration_s:.1f} s"
            if timeout < self.opts.command_timeout:
                self.mark_truncated(item.path, "time budget")
        elif res.exit_code != 0:
            item.error = f"exit status {res.exit_code}"
        if res.stdout or res.ok:
            self.store(item, res.stdout, keep_tail)
        if res.stdout_capped:
            self.mark_truncated(item.path, "byte cap")
        if item.error and res.stderr:
            item.stderr_path = f"commands/{command_label(item.path)}.stderr"
            stderr_item = Item(path=item.stderr_path)
            self.store(stderr_item, res.stderr, keep_tail=True)
            if stderr_item.bytes is None:
                item.stderr_path = None
            item.error += ": " + excerpt(self.clean(res.stderr))
        self.items.append(item)
        if item.error:
            self.progress(f"{item.path}: FAILED ({item.error})")
        else:
            self.progress(
                f"{item.path}: ok ({human_size(item.bytes or 0)}, {res.duration_s:.1f} s)"
            )
        return res

    # steps ---------------------------------------------------------------------------------
    def collect_openstack(self) -> None:
        cli = self.opts.pcdctl
        if shutil.which(cli) is None:  # normal on a hypervisor: a note, not a failure
            self.notes.append(
                f"{cli} not found: no OpenStack data (run this on the admin "
                "workstation too, with the RC file sourced)"
            )
            return
        results: dict[str, CommandResult | None] = {}
        for path, argv in pcdctl_commands(cli):
            results[path] = self.run(path, argv, learn=self._learn_rows)
            res = results[path]
            if res is not None and res.start_error and res.start_error.startswith("command not"):
                self.notes.append(f"{cli} not found: OpenStack data not collected")
                return
        self.openstack_ok = any(r is not None and r.ok for r in results.values())
        ids: list[str] = []
        rejected: list[str] = []
        for path, status in (
            ("openstack/servers-build.json", "BUILD"),
            ("openstack/servers-error.json", "ERROR"),
        ):
            res = results.get(path)
            doc = load_json(res.stdout) if res is not None and res.ok else None
            if doc is None:  # fall back to the full list
                full = results.get("openstack/servers.json")
                doc = load_json(full.stdout) if full is not None else None
            ids += [i for i in server_ids(doc, [status], rejected) if i not in ids]
        self.refused("server ids", rejected, cli)
        if len(ids) > self.opts.max_server_show:
            self.notes.append(
                f"{len(ids)} servers in BUILD/ERROR; server show collected for the first "
                f"{self.opts.max_server_show} (--max-server-show)"
            )
            self.mark_truncated("openstack/server-show/", "count cap")
            ids = ids[: self.opts.max_server_show]
        for sid in ids:
            self.run(
                f"openstack/server-show/{member_component(sid)}.json",
                server_show_argv(cli, sid),
                learn=self._learn_show,
            )

    def _learn_rows(self, doc: Any) -> None:
        assert self.obfuscator is not None
        self.obfuscator.learn_rows(doc)

    def _learn_show(self, doc: Any) -> None:
        assert self.obfuscator is not None
        self.obfuscator.learn_show(doc)

    def _learn_pods(self, doc: Any) -> None:
        assert self.obfuscator is not None
        self.obfuscator.learn_pods(doc)

    def find_namespace(self) -> str | None:
        cli = self.opts.kubectl
        res = self.run("commands/namespace-discovery.txt", discover_argv(cli))
        if res is None:
            return None
        if res.start_error:
            self.notes.append(f"{cli} not found: no Kubernetes data (SaaS-style bundle)")
            return None
        if res.interrupted:
            return None
        if not res.ok:
            self.notes.append(
                "kubectl has no access to the management plane: no Kubernetes data "
                "(SaaS-style bundle; pass --namespace if you do have access to one namespace)"
            )
            return None
        self.kubernetes_access = True
        candidates = {
            parts[0]
            for parts in (
                line.split() for line in res.stdout.decode("utf-8", "replace").splitlines()
            )
            if len(parts) >= 2 and parts[1].startswith("nova-conductor")
        }
        found = sorted(n for n in candidates if NAMESPACE_RE.match(n) and not refused_operand(n))
        self.refused("namespace names", sorted(candidates - set(found)), cli)
        if len(found) > 1:
            self.notes.append(
                f"nova-conductor runs in several namespaces ({', '.join(found)}): "
                "run again with --namespace to pick the region"
            )
            return None
        if not found:
            self.kubernetes_access = False
            self.notes.append(
                "no namespace runs nova-conductor: not a Self-Hosted management plane"
            )
            return None
        self.progress(f"region namespace: {found[0]}")
        return found[0]

    def collect_kubernetes(self) -> None:
        cli = self.opts.kubectl
        if shutil.which(cli) is None:  # normal for SaaS: a note, not a failure
            self.notes.append(f"{cli} not found: no Kubernetes data (SaaS-style bundle)")
            return
        if self.namespace is None:
            self.namespace = self.find_namespace()
            if self.namespace is None:
                return
        ns = self.namespace
        pods_res: CommandResult | None = None
        for path, argv in kubectl_commands(cli, ns):
            learn = self._learn_pods if path.endswith("pods.json") else None
            res = self.run(path, argv, learn=learn)
            if path.endswith("pods.json"):
                pods_res = res
                if res is not None and res.start_error:
                    self.notes.append(f"{cli} not found: no Kubernetes data")
                    return
        if pods_res is None or not pods_res.ok:
            if pods_res is not None:
                self.notes.append(f"kubectl get pods failed in namespace {ns}: no pod details")
            return
        self.kubernetes_access = True
        doc = load_json(pods_res.stdout)
        if doc is None:
            self.notes.append("kubectl get pods returned no JSON: no describe or logs collected")
            return
        rejected: list[str] = []
        targets, left = select_pods(doc, self.opts.max_pods, rejected)
        self.refused("pod or container names", rejected, cli)
        if left:
            self.notes.append(f"{left} more matching pods not described (--max-pods)")
            self.mark_truncated("kubernetes/describe/", "count cap")
        if not targets:
            self.notes.append(f"no messaging-layer or nova pods found in namespace {ns}")
        for pod in targets:
            pod_part = member_component(pod.name)
            self.run(f"kubernetes/describe/{pod_part}.txt", describe_argv(cli, ns, pod.name))
            for container, restarted in pod.containers:
                base = f"kubernetes/logs/{pod_part}/{member_component(container)}"
                self.run(
                    f"{base}.log",
                    logs_argv(cli, ns, pod.name, container, False, self.since_s),
                    cap=self.opts.pod_log_cap,
                    keep_tail=True,
                )
                if restarted:
                    self.run(
                        f"{base}.previous.log",
                        logs_argv(cli, ns, pod.name, container, True, self.since_s),
                        cap=self.opts.pod_log_cap,
                        keep_tail=True,
                    )

    def collect_host_logs(self, clock: dict[str, Any], host_id: str | None) -> None:
        root = self.opts.pf9_log_dir
        if not os.path.isdir(root):
            self.notes.append(f"{root} not found: not a hypervisor, no host logs collected")
            return
        host_dir = f"hosts/{self.hostname}"
        clock_doc = dict(clock, host_id=host_id)
        clock_item = Item(path=f"{host_dir}/clock.json", started_at=clock["utc"])
        self.store(clock_item, json.dumps(clock_doc, indent=2).encode() + b"\n", keep_tail=False)
        self.items.append(clock_item)
        families = find_log_families(root, self.opts.max_log_files)
        if not families:
            self.notes.append(f"no *.log files readable in {root}")
        since = self.opts.since.timestamp()
        for name, paths in families:
            item = Item(path=self.shown(f"{host_dir}/{name}"), source=self.shown(paths[0]))
            reason = self.skip_reason()
            if reason:
                self.skipped(item, reason)
                continue
            started = time.monotonic()
            item.started_at = iso_z(utc_now())
            cut = cut_log_family(paths, since, self.opts.log_cap, self.skip_reason)
            item.duration_s = round(time.monotonic() - started, 3)
            item.sources = [self.shown(p) for p in cut.sources]
            if cut.errors:
                item.error = self.clean_text("; ".join(cut.errors))
            if cut.truncated:
                self.mark_truncated(item.path, cut.truncated)
            if cut.data:
                self.store(item, cut.data, keep_tail=True)
            elif not cut.errors:
                self.progress(f"{item.path}: nothing in the time window")
            self.items.append(item)
            if cut.data:
                self.progress(f"{item.path}: ok ({human_size(item.bytes or 0)})")
            if item.error:
                self.progress(f"{item.path}: {item.error}")

    def host_logs_written(self) -> bool:
        return any(
            i.path.startswith("hosts/") and not i.path.endswith("/clock.json") and i.bytes
            for i in self.items
        )

    def useful(self) -> bool:
        """Did any source give the analyzer something to read (not only errors and notes)?"""
        return self.openstack_ok or self.kubernetes_access or self.host_logs_written()

    def what_to_fix(self) -> list[str]:
        """For a run that collected nothing useful: one line per source that was wanted."""
        opts = self.opts
        fixes: list[str] = []
        if opts.openstack:
            if shutil.which(opts.pcdctl) is None:
                fixes.append(
                    f"OpenStack data: {opts.pcdctl} is not installed or not on PATH. Install "
                    "pcdctl on this admin workstation (or give its path with --pcdctl PATH) and "
                    "source the region's RC file."
                )
            else:
                fixes.append(
                    f"OpenStack data: every {opts.pcdctl} command failed (see the errors above). "
                    "Source the region's RC file (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD) and "
                    f"check that `{opts.pcdctl} server list` works."
                )
        if opts.kubernetes:
            if shutil.which(opts.kubectl) is None:
                fixes.append(
                    f"Kubernetes data (Self-Hosted only): {opts.kubectl} is not installed or not "
                    "on PATH. Install it (or give its path with --kubectl PATH)."
                )
            else:
                fixes.append(
                    f"Kubernetes data (Self-Hosted only): {opts.kubectl} cannot reach the "
                    "management cluster. Point KUBECONFIG at its kubeconfig and check that "
                    f"`{opts.kubectl} get pods -A` works, or pass --namespace with the "
                    "region's namespace."
                )
        if opts.host_logs:
            fixes.append(
                f"Hypervisor logs: {opts.pf9_log_dir} has no log in the time window (or does "
                "not exist). Run this on an affected hypervisor (with sudo), or give the log "
                "folder with --pf9-log-dir DIR, or widen --since."
            )
        return fixes

    def deployment(self) -> str:
        if self.opts.deployment != "auto":
            return self.opts.deployment
        if self.kubernetes_access and self.namespace:
            return "self-hosted"
        if self.openstack_ok:
            return "saas"
        return "unknown"


# --------------------------------------------------------------------------------------------
# Dry run, summary, manifest
# --------------------------------------------------------------------------------------------


def print_plan(opts: Options, bundle_path: str, map_path: str | None) -> None:
    out = sys.stdout
    since_s = max(1, int((utc_now() - opts.since).total_seconds()))
    print("pcd-collect --dry-run: nothing is run or written. The plan:", file=out)
    print(f"\nWould write: {bundle_path}", file=out)
    if map_path:
        print(f"Would write the obfuscation mapping (outside the bundle): {map_path}", file=out)
    print(
        f"\nCommands (each at most {opts.command_timeout:g} s; all within {opts.time_budget:g} s):",
        file=out,
    )

    def show(argv: list[str], path: str, note: str = "") -> None:
        print(f"  {shlex.join(argv)}\n      -> {path}{note}", file=out)

    def not_installed(tool: str, option: str) -> None:
        if shutil.which(tool) is None:
            print(
                f"  NOT INSTALLED: {tool} (not found on PATH): the {tool} commands below would "
                f"fail; install it or give its path with {option} PATH",
                file=out,
            )

    if opts.openstack:
        not_installed(opts.pcdctl, "--pcdctl")
        for path, argv in pcdctl_commands(opts.pcdctl):
            show(argv, path)
        show(
            server_show_argv(opts.pcdctl, "<id>"),
            "openstack/server-show/<id>.json",
            f"   (each BUILD/ERROR server, at most {opts.max_server_show})",
        )
    if opts.kubernetes:
        not_installed(opts.kubectl, "--kubectl")
        ns = opts.namespace or "<namespace>"
        if not opts.namespace:
            show(
                discover_argv(opts.kubectl),
                "commands/namespace-discovery.txt",
                "   (finds the namespace running nova-conductor)",
            )
        for path, argv in kubectl_commands(opts.kubectl, ns):
            show(argv, path)
        pods = "rabbitmq/broker, nova-conductor, nova-scheduler, nova-api pods"
        show(
            describe_argv(opts.kubectl, ns, "<pod>"),
            "kubernetes/describe/<pod>.txt",
            f"   ({pods}, at most {opts.max_pods})",
        )
        show(
            logs_argv(opts.kubectl, ns, "<pod>", "<container>", False, since_s),
            "kubernetes/logs/<pod>/<container>.log",
        )
        show(
            logs_argv(opts.kubectl, ns, "<pod>", "<container>", True, since_s),
            "kubernetes/logs/<pod>/<container>.previous.log",
            "   (containers that restarted)",
        )
    print("\nFiles read:", file=out)
    if opts.host_logs:
        print(f"  {opts.host_id_file}", file=out)
        families = find_log_families(opts.pf9_log_dir, opts.max_log_files)
        if not families:
            print(f"  {opts.pf9_log_dir}/*.log, */*.log and rotations (none found)", file=out)
        for name, paths in families:
            print(f"  {', '.join(reversed(paths))}\n      -> hosts/<host>/{name}", file=out)
        print(
            f"      (records since {iso_z(opts.since)}, newest {human_size(opts.log_cap)} each)",
            file=out,
        )
    else:
        print("  (none: --no-host-logs)", file=out)
    runnable = [
        tool
        for tool, wanted in ((opts.pcdctl, opts.openstack), (opts.kubectl, opts.kubernetes))
        if wanted and shutil.which(tool) is not None
    ]
    if not runnable and (not opts.host_logs or not os.path.isdir(opts.pf9_log_dir)):
        print(
            "\nNothing useful would be collected here: no tool to run and no hypervisor logs.",
            file=out,
        )


def print_summary(
    collector: Collector, bundle_path: str, size: int, deployment: str, interrupted: bool
) -> None:
    err = sys.stderr
    items = collector.items
    written = [i for i in items if i.bytes is not None and not i.path.startswith("commands/")]
    failed = [i for i in items if i.failed]
    by_area: dict[str, int] = {}
    for i in written:
        area = i.path.split("/", 1)[0]
        by_area[area] = by_area.get(area, 0) + 1
    print("", file=err)
    state = "PARTIAL bundle (interrupted)" if interrupted else "Bundle"
    print(f"{state}: {bundle_path} ({human_size(size)})", file=err)
    ns = f", namespace {collector.namespace}" if collector.namespace else ""
    print(f"Deployment: {deployment}{ns}", file=err)
    areas = ", ".join(f"{k} {v}" for k, v in sorted(by_area.items())) or "nothing"
    print(f"Collected: {len(written)} files ({areas})", file=err)
    if failed:
        print(f"Failed or skipped: {len(failed)} (details in manifest.json)", file=err)
        for i in failed[:15]:
            print(f"  - {i.path}: {i.error}", file=err)
        if len(failed) > 15:
            print(f"  ... and {len(failed) - 15} more", file=err)
    if collector.truncated:
        cut = ", ".join(f"{t['path']} ({t['reason']})" for t in collector.truncated[:8])
        more = f" and {len(collector.truncated) - 8} more" if len(collector.truncated) > 8 else ""
        print(f"Truncated: {cut}{more}", file=err)
    masked = {k: v for k, v in collector.redactor.counts.items() if v}
    total = sum(masked.values())
    rules = ", ".join(f"{k} {v}" for k, v in sorted(masked.items()))
    print(f"Redaction: {total} values masked" + (f" ({rules})" if rules else ""), file=err)
    for note in collector.notes:
        print(f"Note: {note}", file=err)
    print("", file=err)
    if not interrupted and not collector.useful():
        print(
            "NOTHING USEFUL WAS COLLECTED: no OpenStack data, no Kubernetes data and no "
            "hypervisor logs. The bundle holds only what was tried and why it failed; it is not "
            "enough to diagnose anything. Fix one of these and run again:",
            file=err,
        )
        for fix in collector.what_to_fix():
            print(f"  - {fix}", file=err)
        return
    print(f"Attach {os.path.basename(bundle_path)} to your support ticket.", file=err)
    host_logs = any(i.path.startswith("hosts/") and i.bytes for i in written)
    if host_logs and not collector.openstack_ok:
        print("Attach the bundle from the admin workstation (pcdctl) as well.", file=err)
    elif not host_logs:
        print(
            "Also run this script on an affected hypervisor (python3 pcd_collect.py) and "
            "attach that bundle too.",
            file=err,
        )
    print("In the ticket, say when VM creates began failing.", file=err)
    if deployment == "saas":
        print("SaaS: Platform9 Support inspects the management plane for you.", file=err)


def build_manifest(
    collector: Collector,
    started: dt.datetime,
    finished: dt.datetime,
    region: str | None,
    host: dict[str, Any],
    interrupted: bool,
    map_path: str | None,
) -> dict[str, Any]:
    opts = collector.opts
    obf = collector.obfuscator
    return {
        "schema": SCHEMA,
        "collected_at": iso_z(finished),
        "started_at": iso_z(started),
        "collector": {
            "name": "pcd-collect",
            "version": VERSION,
            "python": platform.python_version(),
        },
        "deployment": collector.deployment(),
        "region": region,
        "namespace": collector.namespace,
        "host": host,
        "since": iso_z(opts.since),
        "interrupted": interrupted,
        "limits": {
            "command_timeout_s": opts.command_timeout,
            "time_budget_s": opts.time_budget,
            "size_budget_bytes": opts.size_budget,
            "log_cap_bytes": opts.log_cap,
            "pod_log_cap_bytes": opts.pod_log_cap,
            "output_cap_bytes": opts.output_cap,
            "max_server_show": opts.max_server_show,
            "max_pods": opts.max_pods,
        },
        "redaction": {"enabled": True, "rules": dict(collector.redactor.counts)},
        "obfuscation": {
            "enabled": obf is not None,
            "mapping_file": os.path.basename(map_path) if map_path else None,
            "replaced": dict(obf.replaced) if obf is not None else {},
        },
        "notes": collector.notes,
        "truncated": collector.truncated,
        "items": [i.to_dict() for i in collector.items],
        "files": dict(collector.writer.files),
    }


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pcd-collect",
        description=(
            "Collect a Private Cloud Director support bundle (pcdctl, kubectl and /var/log/pf9 "
            "data) for `analyze`. Read-only; passwords, tokens and keys are masked."
        ),
        epilog=(
            "Run it on the admin workstation (RC file sourced; kubectl for Self-Hosted) and on "
            "each affected hypervisor. Exit status: 0 bundle written, 2 usage error, 3 a secret "
            "survived redaction (bundle deleted), 4 nothing useful collected (the bundle holds "
            "only the errors; what to fix is printed), 130 interrupted (partial bundle written)."
        ),
    )
    p.add_argument("--version", action="version", version=f"pcd-collect {VERSION}")
    out = p.add_argument_group("output")
    out.add_argument(
        "--output-dir",
        default=".",
        metavar="DIR",
        help="directory for the bundle (default: current directory)",
    )
    out.add_argument(
        "--output",
        metavar="FILE.tgz",
        help="exact bundle path (default: pcd-bundle-<region or host>-<UTC time>.tgz)",
    )
    out.add_argument(
        "--dry-run",
        action="store_true",
        help="print every command and file the run would touch, then stop",
    )
    out.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    what = p.add_argument_group("what to collect")
    what.add_argument(
        "--since",
        default="24h",
        metavar="WHEN",
        help="time window: a duration (24h, 90m, 2d) or a time (default: 24h)",
    )
    what.add_argument(
        "--namespace",
        metavar="NS",
        help="region namespace (default: the one running nova-conductor)",
    )
    what.add_argument(
        "--deployment",
        choices=("auto", "self-hosted", "saas"),
        default="auto",
        help="override detection (default: self-hosted if kubectl reaches the "
        "region namespace, else saas)",
    )
    what.add_argument("--region", help="region name for the bundle (default: $OS_REGION_NAME)")
    what.add_argument(
        "--pf9-log-dir",
        default="/var/log/pf9",
        metavar="DIR",
        help="hypervisor log directory (default: /var/log/pf9)",
    )
    what.add_argument(
        "--host-id-file",
        default="/etc/pf9/host_id.conf",
        metavar="FILE",
        help="hypervisor host id (default: /etc/pf9/host_id.conf)",
    )
    what.add_argument("--pcdctl", default="pcdctl", metavar="CMD", help="pcdctl executable")
    what.add_argument("--kubectl", default="kubectl", metavar="CMD", help="kubectl executable")
    what.add_argument("--no-openstack", dest="openstack", action="store_false", help="skip pcdctl")
    what.add_argument(
        "--no-kubernetes", dest="kubernetes", action="store_false", help="skip kubectl"
    )
    what.add_argument(
        "--no-host-logs", dest="host_logs", action="store_false", help="skip /var/log/pf9"
    )
    lim = p.add_argument_group("limits")
    lim.add_argument(
        "--command-timeout",
        type=parse_seconds,
        default=60.0,
        metavar="S",
        help="timeout of each command in seconds (default: 60)",
    )
    lim.add_argument(
        "--time-budget",
        type=parse_seconds,
        default=300.0,
        metavar="S",
        help="time budget of the whole run in seconds (default: 300)",
    )
    lim.add_argument(
        "--size-budget",
        type=parse_size,
        default=parse_size("500M"),
        metavar="SIZE",
        help="uncompressed bundle size budget (default: 500M)",
    )
    lim.add_argument(
        "--log-cap",
        type=parse_size,
        default=parse_size("20M"),
        metavar="SIZE",
        help="newest bytes kept per hypervisor log (default: 20M)",
    )
    lim.add_argument(
        "--pod-log-cap",
        type=parse_size,
        default=parse_size("10M"),
        metavar="SIZE",
        help="newest bytes kept per pod container log (default: 10M)",
    )
    lim.add_argument(
        "--output-cap",
        type=parse_size,
        default=parse_size("64M"),
        metavar="SIZE",
        help="bytes kept of any other command's output (default: 64M)",
    )
    lim.add_argument(
        "--max-server-show",
        type=int,
        default=50,
        metavar="N",
        help="server show for at most N BUILD/ERROR servers (default: 50)",
    )
    lim.add_argument(
        "--max-pods",
        type=int,
        default=40,
        metavar="N",
        help="describe and logs of at most N pods (default: 40)",
    )
    lim.add_argument(
        "--max-log-files",
        type=int,
        default=50,
        metavar="N",
        help="at most N hypervisor log files (default: 50)",
    )
    priv = p.add_argument_group("privacy (redaction of secrets is always on)")
    priv.add_argument(
        "--obfuscate",
        action="store_true",
        help="also replace hostnames and IP addresses with stable pseudonyms, and mask each "
        "distinct secret as its own [REDACTED-N] (one value, one N, within the bundle)",
    )
    priv.add_argument(
        "--obfuscation-map",
        metavar="FILE",
        help="pseudonym mapping, read and updated; kept outside the bundle "
        "(default: <output-dir>/pcd-collect-obfuscation-map.json)",
    )
    return p


def options_from_args(args: argparse.Namespace, now: dt.datetime) -> Options:
    if args.namespace is not None and not NAMESPACE_RE.match(args.namespace):
        raise UsageError(f"--namespace: not a Kubernetes namespace name: {args.namespace!r}")
    for flag in ("max_server_show", "max_pods", "max_log_files"):
        if getattr(args, flag) < 0:
            raise UsageError(f"--{flag.replace('_', '-')} must be 0 or more")
    output_dir = os.path.dirname(args.output) if args.output else args.output_dir
    return Options(
        output_dir=os.path.abspath(output_dir or "."),
        output=os.path.abspath(args.output) if args.output else None,
        since=parse_since(args.since, now),
        namespace=args.namespace,
        deployment=args.deployment,
        region=args.region or os.environ.get("OS_REGION_NAME") or None,
        pf9_log_dir=args.pf9_log_dir,
        host_id_file=args.host_id_file,
        pcdctl=args.pcdctl,
        kubectl=args.kubectl,
        openstack=args.openstack,
        kubernetes=args.kubernetes,
        host_logs=args.host_logs,
        command_timeout=args.command_timeout,
        time_budget=args.time_budget,
        size_budget=args.size_budget,
        log_cap=args.log_cap,
        pod_log_cap=args.pod_log_cap,
        output_cap=args.output_cap,
        max_server_show=args.max_server_show,
        max_pods=args.max_pods,
        max_log_files=args.max_log_files,
        obfuscate=args.obfuscate,
        obfuscation_map=args.obfuscation_map,
        dry_run=args.dry_run,
        quiet=args.quiet,
    )


def check_mapping_path(path: str) -> None:
    """Refuse, before anything runs, a mapping file or its ``.tmp`` that is a link or odd.

    A link planted at either name would make the update write through it, anywhere.
    """
    if os.path.islink(path):
        raise UsageError(f"--obfuscation-map {path}: a symbolic link; not followed")
    if os.path.lexists(path) and not os.path.isfile(path):
        raise UsageError(f"--obfuscation-map {path}: not a regular file")
    if os.path.lexists(path + ".tmp"):
        raise UsageError(
            f"--obfuscation-map: {path}.tmp already exists (left by an interrupted run, or "
            "planted); not followed or overwritten: remove it"
        )


def load_mapping(path: str) -> dict[str, Any]:
    if not os.path.lexists(path):
        return {}
    try:
        with open_regular(path) as fh:
            doc = json.loads(fh.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--obfuscation-map {path}: unreadable ({exc})") from None
    if not isinstance(doc, dict):
        raise UsageError(f"--obfuscation-map {path}: not a pcd-collect mapping")
    return doc


def save_mapping(path: str, obfuscator: Obfuscator) -> None:
    """Write ``<map>.tmp`` and rename it over the mapping.

    The temporary file is created exclusively (``O_EXCL``) and never through a link
    (``O_NOFOLLOW``): something already at that name, such as a link planted to make the
    update overwrite another file, makes the save fail and is left untouched. The rename
    replaces a link at the mapping's own name instead of writing through it.
    """
    tmp = path + ".tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    except OSError as exc:
        raise UsageError(
            f"--obfuscation-map: cannot create {tmp} ({exc.strerror or exc}); not followed or "
            "overwritten"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obfuscator.to_mapping(), fh, indent=2, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        reason = exc.strerror or exc
        raise UsageError(f"--obfuscation-map {path}: cannot write ({reason})") from None


def collect(opts: Options, now: dt.datetime) -> int:
    hostname = socket.gethostname() or "localhost"
    map_path: str | None = None
    obfuscator: Obfuscator | None = None
    if opts.obfuscate:
        map_path = os.path.abspath(
            opts.obfuscation_map
            or os.path.join(opts.output_dir, "pcd-collect-obfuscation-map.json")
        )
        if not opts.dry_run:
            check_mapping_path(map_path)
        obfuscator = Obfuscator({} if opts.dry_run else load_mapping(map_path))
        obfuscator.learn(hostname)
    shown_host = obfuscator.host(hostname) if obfuscator else hostname
    label = safe_component(opts.region or shown_host)
    root = f"pcd-bundle-{label}-{now.strftime('%Y%m%dT%H%M%SZ')}"
    bundle_path = opts.output or os.path.join(opts.output_dir, root + ".tgz")
    if opts.output:
        # the members' top directory: sanitised, so --output '..tgz' cannot make '../x' members
        stem = re.sub(r"(\.tar\.gz|\.tgz|\.tar)$", "", os.path.basename(opts.output))
        root = safe_component(stem, root)
    if opts.dry_run:
        print_plan(opts, bundle_path, map_path)
        return EXIT_OK
    if os.path.lexists(bundle_path):
        raise UsageError(f"{bundle_path} already exists; not overwritten")
    try:
        os.makedirs(opts.output_dir, exist_ok=True)
        writer = BundleWriter(bundle_path, root, now.timestamp())
    except OSError as exc:
        raise UsageError(f"cannot write to {opts.output_dir}: {exc.strerror or exc}") from None

    stop = Stop()
    previous = {
        sig: signal.signal(sig, stop.handler)
        for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM))
    }
    redactor = Redactor(dict(os.environ), numbered=opts.obfuscate)
    collector = Collector(opts, writer, redactor, obfuscator, stop, safe_component(shown_host))
    clock = clock_info(now)
    host_id = read_host_id(opts.host_id_file) if opts.host_logs else None
    try:
        collector.progress(f"collecting into {bundle_path}")
        if opts.openstack:
            collector.step("OpenStack", collector.collect_openstack)
        if opts.kubernetes:
            collector.step("Kubernetes", collector.collect_kubernetes)
        if opts.host_logs:
            collector.step("host logs", lambda: collector.collect_host_logs(clock, host_id))
        interrupted = stop.requested
        if interrupted:
            collector.notes.append(f"interrupted ({stop.signal_name}): partial bundle")
        host = {
            "name": collector.hostname,
            "utc_offset_s": clock["utc_offset_s"],
            "timezone": clock["timezone"],
            "host_id": host_id,
        }
        manifest = build_manifest(
            collector, now, utc_now(), opts.region, host, interrupted, map_path
        )
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        writer.add("manifest.json", text.encode("utf-8"))
        writer.close()
    except BaseException:
        writer.discard()
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if obfuscator is not None and map_path is not None:
            try:
                save_mapping(map_path, obfuscator)
            except UsageError:
                writer.discard()
                raise

    problems = scan_bundle(writer.partial_path, obfuscator)
    if problems:
        writer.discard()
        print(
            "ERROR: the finished bundle still contains what looks like a secret:", file=sys.stderr
        )
        for problem in problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        print(
            "The bundle was deleted. Please report this to Platform9 Support (without the data).",
            file=sys.stderr,
        )
        return EXIT_SECRET_FOUND
    writer.publish()
    size = os.path.getsize(bundle_path)
    print_summary(collector, bundle_path, size, manifest["deployment"], interrupted)
    print(bundle_path)
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if collector.useful() else EXIT_NOTHING_COLLECTED


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    now = utc_now().replace(microsecond=0)
    try:
        opts = options_from_args(args, now)
        return collect(opts, now)
    except UsageError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # the disk filled up, the output directory went away, ...
        print(f"Error: cannot write the bundle: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # before the collection started: nothing was written
        print("Error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
