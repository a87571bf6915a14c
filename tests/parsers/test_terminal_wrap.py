"""A terminal's wrapping undone before a log is read: records whole, line numbers kept."""

from __future__ import annotations

from analyzer.jobs import identify
from analyzer.model import SourceContext, SourceFile
from analyzer.parsers import loglines, terminal_wrap
from fixtures.scenarios import pasted

# nova-conductor.log pasted from a terminal, as the pasted-reschedules bundle holds it
# (Chinese troubleshooting notes kept on GitHub, "OpenStack排错", November 2020): its last
# two records, each wrapped at the terminal's width
WRAPPED = "\n".join(pasted.RETRIES_CONDUCTOR[6:]) + "\n"

# a zh_CN conductor's NoValidHost and the start of its traceback, as an OpenStack Rocky
# install diary in Chinese (mirrored from CSDN on GitHub, September 2021) pasted it: one
# long line goes on in the next, which is a traceback, not a wrap
NOT_WRAPPED = r"""2021-09-17 23:48:48.310 2369 ERROR nova.conductor.manager [req-ba7cca9e-6c0d-4a8e-b657-60673456a472 9942eb4321644336a0c7383d9f1c2bed a7d812868cb74f1a978035530f55f1d0 - default default] Failed to schedule instances: NoValidHost_Remote: \u627e\u4e0d\u5230\u6709\u6548\u4e3b\u673a\uff0c\u539f\u56e0\u662f \u6ca1\u6709\u8db3\u591f\u7684\u4e3b\u673a\u53ef\u7528\u3002\u3002
Traceback (most recent call last):

  File "/usr/lib/python2.7/site-packages/oslo_messaging/rpc/server.py", line 235, in inner
    return func(*args, **kwargs)
"""


def test_wrapped_records_are_joined_and_keep_their_first_line() -> None:
    lines = loglines.split_lines(WRAPPED)
    joined = terminal_wrap.unwrapped(lines)
    assert len(joined) == len(lines)
    assert joined[0].endswith(
        "Exceeded maximum number of retries. Exhausted all hosts available for retrying build "
        "failures for instance a9f3b569-708e-4a56-8f57-51e17924a1bc."
    )
    assert joined[1:4].tolist() == ["", "", ""]
    assert joined[4].endswith("instance a9f3b569-708e-4a56-8f57-51e17924a1bc.")
    src = SourceFile(bundle="b", path="nova-conductor.log", data=WRAPPED.encode())
    spec = identify(src)
    assert spec is not None
    ctx = SourceContext(bundle="b", path=src.path, host=None, utc_offset=None, collected_at=None)
    logs = spec.parse(src, ctx).tables["logs"]
    assert logs["line"].tolist() == [1, 5]
    assert logs["message"][1].startswith("Setting instance to ERROR state.: MaxRetriesExceeded")


def test_near_miss_one_long_line_and_its_traceback_are_left_as_they_are() -> None:
    lines = loglines.split_lines(NOT_WRAPPED)
    assert terminal_wrap.unwrapped(lines).tolist() == lines.tolist()


def test_near_miss_a_failure_logged_twice_with_its_traceback_is_no_wrapping() -> None:
    # the same record twice (a failure that recurs logs lines of one length): two lines of
    # the head's longest length, each going on in a line without a stamp, but a traceback
    lines = loglines.split_lines(NOT_WRAPPED + NOT_WRAPPED)
    assert not terminal_wrap.wrapped(lines)
    assert terminal_wrap.unwrapped(lines).tolist() == lines.tolist()
