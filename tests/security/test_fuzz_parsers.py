"""Property tests of every parser: no input makes one raise or trip over its own code.

The documented contract (analyzer/parsers/base.py) is that a parser never raises: what it
cannot read becomes a bundle problem. Each parser of ``analyzer.parsers.PARSERS`` gets
arbitrary bytes, arbitrary text and mutated real samples of its own kind (lines dropped,
repeated, swapped, bytes overwritten, text spliced in, cut anywhere) taken from generated
scenario bundles; its sniffer gets arbitrary text. A "parser failed" problem (a bug caught
by the fail-forward guard) counts as a failure too, and whatever comes out must fit the
declared frames. The manifest and clock readers and identification are fuzzed the same way.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.bundle import Bundle
from analyzer.frames import build_frames
from analyzer.ingest import ingest
from analyzer.jobs import identify
from analyzer.manifest import load_clock, load_manifest
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import PARSERS, ParserSpec
from analyzer.parsers.base import PARSER_FAILED
from fixtures.generate import build

pytestmark = pytest.mark.slow

SAMPLE_BYTES = 12_000  # the head of each real file: enough structure, cheap to parse
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SPECS = {spec.kind: spec for spec in PARSERS}


def _samples() -> dict[str, list[tuple[str, bytes]]]:
    """Real files of every kind, from scenarios covering every format the parsers read."""
    found: dict[str, list[tuple[str, bytes]]] = {kind: [] for kind in SPECS}
    for scenario in ("selfhosted-broker-oom", "saas-hypervisor-only", "host-failure",
                     "handmade-renamed", "handmade-legacy-rabbit", "pasted-session",
                     "pasted-journald", "pasted-containers"):  # fmt: skip
        for path, data in sorted(build(scenario).files.items()):
            spec = identify(SourceFile("s", path, data))
            if spec is not None and len(found[spec.kind]) < 4:
                cut = data[:SAMPLE_BYTES]
                found[spec.kind].append((path, cut[: cut.rfind(b"\n") + 1] or cut))
    return found


SAMPLES = _samples()
CONTEXTS = st.builds(
    SourceContext,
    bundle=st.just("fuzz"),
    path=st.just("x"),
    host=st.sampled_from([None, "hv-01"]),
    utc_offset=st.sampled_from([None, timedelta(0), timedelta(hours=5, minutes=30)]),
    collected_at=st.sampled_from([None, datetime(2026, 3, 2, 9, 31, tzinfo=UTC)]),
)


OSTABLE_KINDS = {"servers", "services", "server_show"}


def run_parser(spec: ParserSpec, path: str, data: bytes, ctx: SourceContext) -> None:
    src = SourceFile("fuzz", path, data)
    ctx = SourceContext(ctx.bundle, path, ctx.host, ctx.utc_offset, ctx.collected_at)
    result = spec.parse(src, ctx)
    for problem in result.problems:
        assert PARSER_FAILED not in problem.problem, problem
        assert "could not be parsed" not in problem.problem, problem
    assert set(result.tables) <= set(spec.tables), result.tables.keys()
    build_frames({table: [frame] for table, frame in result.tables.items()})


def test_every_parser_has_real_samples() -> None:
    assert {kind for kind, found in SAMPLES.items() if not found} == set()


@pytest.mark.parametrize("kind", sorted(SPECS))
@settings(FUZZ, max_examples=60)  # most random bytes fail fast; mutated samples go deeper
@given(data=st.binary(max_size=3000), ctx=CONTEXTS)
def test_arbitrary_bytes(kind: str, data: bytes, ctx: SourceContext) -> None:
    spec = SPECS[kind]
    path = spec.paths[0].replace("*", "x") if spec.paths else "x.txt"
    run_parser(spec, path, data, ctx)


# Valid UTF-8 of any characters (line and paragraph separators, wide characters), which
# arbitrary bytes seldom are, and every byte read as Latin-1 (no undecodable bytes).
TEXT = st.one_of(
    st.text(max_size=3000), st.binary(max_size=3000).map(lambda b: b.decode("latin-1"))
)


@pytest.mark.parametrize("kind", sorted(SPECS))
@settings(FUZZ, max_examples=60)
@given(text=TEXT, ctx=CONTEXTS)
def test_arbitrary_text(kind: str, text: str, ctx: SourceContext) -> None:
    spec = SPECS[kind]
    path = spec.paths[0].replace("*", "x") if spec.paths else "x.txt"
    run_parser(spec, path, text.encode("utf-8", "surrogatepass"), ctx)


EDIT = st.one_of(
    st.tuples(st.just("drop"), st.integers(0, 10**6), st.integers(1, 20)),
    st.tuples(st.just("repeat"), st.integers(0, 10**6), st.integers(1, 5)),
    st.tuples(st.just("swap"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("byte"), st.integers(0, 10**6), st.integers(0, 255)),
    st.tuples(st.just("splice"), st.integers(0, 10**6), st.text(max_size=80)),
    st.tuples(st.just("cut"), st.integers(0, 10**6), st.just(0)),
)


def apply(data: bytes, edits: list[tuple[str, int, object]]) -> bytes:
    lines = data.split(b"\n")
    for op, at, arg in edits:
        i = at % max(len(lines), 1)
        if op == "drop":
            del lines[i : i + int(str(arg))]
        elif op == "repeat":
            lines[i:i] = lines[i : i + 1] * int(str(arg))
        elif op == "swap" and lines:
            j = int(str(arg)) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "byte" and lines and lines[i]:
            line = bytearray(lines[i])
            line[int(str(arg)) % len(line)] = int(str(arg))
            lines[i] = bytes(line)
        elif op == "splice" and lines:
            text = str(arg).encode("utf-8", "surrogatepass")
            cut = len(lines[i]) // 2
            lines[i] = lines[i][:cut] + text + lines[i][cut:]
        elif op == "cut":
            joined = b"\n".join(lines)
            lines = joined[: at % (len(joined) + 1)].split(b"\n")
    return b"\n".join(lines)


@pytest.mark.parametrize("kind", sorted(SPECS))
@FUZZ
@given(pick=st.integers(0, 10), edits=st.lists(EDIT, min_size=1, max_size=6), ctx=CONTEXTS)
def test_mutated_real_samples(
    kind: str, pick: int, edits: list[tuple[str, int, object]], ctx: SourceContext
) -> None:
    path, data = SAMPLES[kind][pick % len(SAMPLES[kind])]
    run_parser(SPECS[kind], path, apply(data, edits), ctx)


@pytest.mark.parametrize("kind", sorted(OSTABLE_KINDS))
def test_form_feed_before_json_is_leading_text_not_a_crash(kind: str) -> None:
    spec = SPECS[kind]
    path = spec.paths[0].replace("*", "x")
    result = spec.parse(
        SourceFile("fuzz", path, b"\x0c\n[]\n"), SourceContext("fuzz", path, None, None, None)
    )
    assert not [p for p in result.problems if PARSER_FAILED in p.problem]


@pytest.mark.parametrize("kind", sorted(SPECS))
@FUZZ
@given(text=st.text(max_size=2000))
def test_sniffers_answer_yes_or_no(kind: str, text: str) -> None:
    assert SPECS[kind].sniff(text) in (True, False)


@FUZZ
@given(data=st.binary(max_size=2000), name=st.text(max_size=30))
def test_identification(data: bytes, name: str) -> None:
    spec = identify(SourceFile("fuzz", f"misc/{name}", data))
    assert spec is None or spec in PARSERS


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
MANIFEST_KEYS = ["schema", "collected_at", "deployment", "region", "namespace", "host",
                 "collector", "items", "truncated", "since", "files"]  # fmt: skip


MANIFESTS = st.fixed_dictionaries({}, optional=dict.fromkeys(MANIFEST_KEYS, JSON)) | JSON
LOG = b"2026-03-02 09:00:00.000 1 INFO nova.compute.manager hello\n"


@settings(FUZZ, max_examples=40)
@given(manifest=MANIFESTS, clock=MANIFESTS, raw=st.binary(max_size=200), use_raw=st.booleans())
def test_manifest_and_clock_never_stop_ingestion(
    manifest: object, clock: object, raw: bytes, use_raw: bool
) -> None:
    files = [
        SourceFile("fuzz", "manifest.json", raw if use_raw else json.dumps(manifest).encode()),
        SourceFile("fuzz", "hosts/hv-01/clock.json", json.dumps(clock).encode()),
        SourceFile("fuzz", "hosts/hv-01/ostackhost.log", LOG),
    ]
    frames, inventory = ingest([Bundle("fuzz", files)])
    assert len(frames.logs) == 1
    assert inventory.collected_at is None or inventory.collected_at.year >= 2000


@pytest.mark.parametrize("doc", [b'{"items": 5}', b'{"truncated": 5}'])
def test_manifest_reader_on_non_list_items(doc: bytes) -> None:
    manifest, _problems = load_manifest(SourceFile("fuzz", "manifest.json", doc))
    assert manifest.items == []
    assert manifest.truncated == []


@FUZZ
@given(doc=MANIFESTS)
def test_clock_reader(doc: object) -> None:
    offset = load_clock(SourceFile("fuzz", "hosts/hv-01/clock.json", json.dumps(doc).encode()))
    assert offset is None or abs(offset) <= timedelta(hours=14)
