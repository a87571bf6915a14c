"""The parsers, in identification order: the most specific content first.

A file is given to the first parser whose layout paths match it; failing that, to the
first whose sniffer recognises its content.
"""

from analyzer.parsers import terminal_session
from analyzer.parsers.base import ParseResult, ParserSpec
from analyzer.parsers.one_source import ONE_SOURCE

PARSERS: tuple[ParserSpec, ...] = (
    terminal_session.SPEC,  # several commands' outputs, each read by the parsers below
    *ONE_SOURCE,
)

__all__ = ["PARSERS", "ParseResult", "ParserSpec"]
