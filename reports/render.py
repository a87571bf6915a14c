"""Render an ``analysis.json`` document as Markdown and as one self-contained HTML file.

One Jinja environment renders the templates in ``reports/templates``: HTML with autoescape
on (every document value is escaped; only constant wording is ever marked safe, with its
parameters escaped), Markdown with filters that escape document text for GitHub-flavoured
Markdown (table pipes, newlines, inline markup, code fences longer than any backtick run).
Both use ``StrictUndefined``: the templates read only the view built in
:mod:`reports.view` and :mod:`reports.timeline_view` from the typed document.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from functools import cache
from pathlib import Path

import jinja2
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket, BytecodeCache, FileSystemBytecodeCache
from markupsafe import Markup, escape

from analyzer.document import AnalysisDocument
from reports.timeline_view import timeline_view
from reports.view import build

# --- Markdown ------------------------------------------------------------------------

# ASCII punctuation that starts inline markup in GitHub-flavoured Markdown; a backslash
# before any ASCII punctuation is valid CommonMark and renders as the bare character.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# Text that would open a block if it started a line: heading, list item, thematic break.
_MD_BLOCK_START = re.compile(r"^(\s*)(#|[+=-](?=\s|$|[+=-]))")
_MD_LIST_START = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_BACKTICKS = re.compile(r"`+")


def md_text(value: object) -> str:
    """Document text as inline Markdown: markup escaped, safe in a table cell, one line."""
    text = _MD_SPECIAL.sub(r"\\\1", str(value))
    text = _MD_ENTITY.sub(r"\\&", text)
    text = _MD_BLOCK_START.sub(r"\1\\\2", text)
    text = _MD_LIST_START.sub(r"\1\\\2", text)
    return _NEWLINES.sub("<br>", text)


def _longest_backtick_run(text: str) -> int:
    return max((len(m.group(0)) for m in _BACKTICKS.finditer(text)), default=0)


def md_code(value: object, *, cell: bool = False) -> str:
    """Document text as an inline code span (verbatim, one line)."""
    text = _NEWLINES.sub(" ↵ ", str(value))
    if not text:
        return "—"
    ticks = "`" * (_longest_backtick_run(text) + 1)
    if text.startswith("`") or text.endswith("`") or (text[0] == " " and text[-1] == " "):
        text = f" {text} "
    if cell:
        # GFM splits table rows on unescaped pipes before it parses code spans.
        text = text.replace("|", "\\|")
    return f"{ticks}{text}{ticks}"


def md_cell_code(value: object) -> str:
    """Inline code inside a table cell.

    GFM splits rows before parsing code spans and reads ``\\|`` as an escaped backslash
    followed by a cell delimiter; a code span cannot escape that backslash, so text with
    backslashes is shown as escaped text inside ``<code>`` instead.
    """
    text = str(value)
    if "\\" in text:
        return f"<code>{md_text(text)}</code>" if text else "—"
    return md_code(text, cell=True)


def md_fence(value: object, lang: str = "") -> str:
    """A fenced code block longer than any backtick run in the text."""
    text = str(value)
    if text.endswith("\n"):
        text = text[:-1]
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def _split_code(text: str) -> list[tuple[bool, str]]:
    """Constant wording with `commands` marked by backticks: (is_code, part) pairs."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # unbalanced: show as plain text
        return [(False, text)]
    return [(i % 2 == 1, part) for i, part in enumerate(parts) if part]


def md_words(value: str) -> str:
    """Constant wording (never document data): backtick spans become code spans."""
    return "".join(md_code(p) if code else md_text(p) for code, p in _split_code(value))


# --- HTML ------------------------------------------------------------------------------


def html_words(value: str) -> Markup:
    """Constant wording as HTML: the text is escaped, backtick spans become <code>."""
    return Markup("").join(
        Markup("<code>{}</code>").format(p) if code else escape(p) for code, p in _split_code(value)
    )


# --- environment ----------------------------------------------------------------------


class _TemplateCache(FileSystemBytecodeCache):
    """Compiled templates kept between runs: compiling the two reports' templates costs
    about 0.08 s of CPU, loading them compiled 0.001 s.

    Jinja names each file after the template's name and path and checks the template's
    text and its own and Python's version in it; the file names here also carry a digest
    of Jinja's release and of this module (the environment's options). A file that cannot
    be read or written only means compiling again.
    """

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged file is a cache miss
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _template_cache() -> BytecodeCache | None:
    """The cache in the user's cache folder, or none where it cannot be made."""
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        folder = Path(base) / "pcd-bundle-analyzer" / "templates"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        options = hashlib.sha256(jinja2.__version__.encode() + Path(__file__).read_bytes())
    except (OSError, RuntimeError):  # no home folder, a read-only one, no source file
        return None
    return _TemplateCache(str(folder), f"{options.hexdigest()[:16]}-%s.cache")


@cache
def environment() -> Environment:
    """One environment for both reports: autoescape on for ``*.html.j2``, off for Markdown.

    Markdown templates escape document text with the ``md``/``code``/``fence`` filters.
    """
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html", "html.j2"), default_for_string=True, default=False
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_template_cache(),
    )
    env.filters.update(
        md=md_text,
        code=md_code,
        cellcode=md_cell_code,
        fence=md_fence,
        md_words=md_words,
        html_words=html_words,
    )
    return env


def render_markdown(doc: AnalysisDocument) -> str:
    """``report.md``: GitHub-flavoured Markdown, ready to paste into a ticket."""
    template = environment().get_template("report.md.j2")
    return template.render(r=build(doc), t=timeline_view(doc))


def render_html(doc: AnalysisDocument) -> str:
    """``report.html``: one self-contained file, inline CSS, no JavaScript."""
    template = environment().get_template("report.html.j2")
    return template.render(r=build(doc), t=timeline_view(doc))
