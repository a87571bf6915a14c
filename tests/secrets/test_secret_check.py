"""The check of a written archive: known ids left out span by span, everything else flagged."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from analyzer.secret_check import Flag, blank_known_ids, check_archive, check_members
from tests.collector.detect import detected_secrets

# kubectl get events -o json (the fixture generator's) and RabbitMQ 3.10.8's own start-up line
# (hosts/vm/rabbit@localhost.log of the lab bundles in fixtures/lab, a real broker's run)
UID_LINE = '        "uid": "e8f8dd66a349f9300471d640207c151a",'
VHOST_LINE = (
    "2026-11-25 23:23:08.919284+00:00 [info] <0.647.0> Message store "
    '"628WB79CIFDYO9LJI6DKMI09L/msg_store_transient": using rabbit_msg_store_ets_index to '
    "provide index"
)
TOKEN = "Zx8Kq2Lm9Vb4Nw7Rt5Yp3Hs6Jd1Fg0Ac"  # synthetic, random-looking


def _tgz(path: Path, members: dict[str, str]) -> Path:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(f"top/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(raw.getvalue())
    return path


def test_known_ids_are_blanked_and_nothing_else() -> None:
    assert "e8f8dd66" not in blank_known_ids(UID_LINE)
    assert "628WB79CIFDYO9LJI6DKMI09L" not in blank_known_ids(VHOST_LINE)
    other = '        "token": "e8f8dd66a349f9300471d640207c151a",'  # not an id key
    assert blank_known_ids(other) == other


def test_known_ids_alone_are_quiet(tmp_path: Path) -> None:
    members = {"kubernetes/events.json": "{\n" + UID_LINE + "\n}\n", "rabbit.log": VHOST_LINE}
    assert check_members({k: v.encode() for k, v in members.items()}) == []
    assert detected_secrets(_tgz(tmp_path / "ids.tgz", members)) == []


def test_a_token_beside_a_known_id_is_still_flagged(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    line = VHOST_LINE + f" handshake {TOKEN}\n"
    # outside tmp_path: the conftest's scan of every bundle left there would (rightly) object
    leak = tmp_path_factory.mktemp("leak") / "leak.tgz"
    path = _tgz(leak, {"hosts/hv-01/rabbit.log": "first line\n" + line})
    flags = check_archive(path)
    assert Flag("hosts/hv-01/rabbit.log", 2, "self-scan high_entropy") in flags
    assert all(TOKEN not in str(f) for f in flags)  # the line is named, never the value
