"""The renderers read the rules' words from a copy, and never import pandas.

Each rule declares its title, sentence and rebuttal (``analyzer.rules.base.Rule``); the
reports need only those words, but importing the rules imports their detection code and
with it pandas and pyarrow: about 0.2 s of CPU in the report worker for nothing.
``reports/rule_words.py`` is a copy of the words, written by this test: it fails when the
copy differs from the rules, and ``UPDATE_GOLDEN=1`` writes the copy anew.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

from analyzer.model import Sentence
from analyzer.rules import RULES
from reports import rule_words

ROOT = Path(__file__).resolve().parents[2]
COPY = ROOT / "reports" / "rule_words.py"

HEAD = '''"""The words each diagnosis rule declares, for the renderers: titles, sentences, rebuttals.

Do not edit: a copy of what the rules in ``analyzer.rules`` declare (``Rule.title``,
``Rule.sentence``, ``Rule.rebuts``), so that rendering a report does not import the rules'
detection code and pandas with it. ``tests/reports/test_rule_words.py`` fails when it
differs from the rules; ``UPDATE_GOLDEN=1`` makes that test write it anew.
"""

from analyzer.model import Sentence

'''


def _sentence(s: Sentence) -> str:
    extras = "".join(f"{e!r}, " for e in s.extras)
    return f"Sentence({s.text!r}, {s.fallback!r}, ({extras}))"


def _copy_text() -> str:
    titles = "".join(f"    {r.key!r}: {r.title!r},\n" for r in RULES)
    sentences = "".join(f"    {r.key!r}: {_sentence(r.sentence)},\n" for r in RULES)
    rebuttals = "".join(
        f"    {r.key!r}: {_sentence(r.rebuts)},\n" for r in RULES if r.rebuts is not None
    )
    return (
        HEAD
        + f"TITLES: dict[str, str] = {{\n{titles}}}\n"
        + f"SENTENCES: dict[str, Sentence] = {{\n{sentences}}}\n"
        + f"REBUTTALS: dict[str, Sentence] = {{\n{rebuttals}}}\n"
    )


def _write_copy() -> None:
    COPY.write_text(_copy_text(), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(COPY)], check=True)


def test_the_copy_holds_what_the_rules_declare() -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        _write_copy()
        importlib.reload(rule_words)
    copy = (rule_words.TITLES, rule_words.SENTENCES, rule_words.REBUTTALS)
    declared = (
        {r.key: r.title for r in RULES},
        {r.key: r.sentence for r in RULES},
        {r.key: r.rebuts for r in RULES if r.rebuts is not None},
    )
    # in the rules' order too: the reports list what they look up in that order
    assert [list(d.items()) for d in copy] == [list(d.items()) for d in declared], (
        "reports/rule_words.py differs from the rules: run this test with UPDATE_GOLDEN=1"
    )


def test_rendering_imports_neither_pandas_nor_pyarrow() -> None:
    code = (
        "import sys\n"
        "import reports.render, reports.wording, reports.worker, reports.charts\n"
        "import analyzer.document\n"
        "print(' '.join(m for m in ('pandas', 'pyarrow', 'analyzer.rules') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-P", "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == []
