"""The MIME parser's boundary lines: matched like its own pattern, and nothing compiled per
mail."""

from __future__ import annotations

import itertools
import re

import pytest

from kefu.channels.email import mime_boundary
from kefu.channels.email.parse import parse_email

BOUNDARIES = ["===============7632127594989857259==", "b1_x", "a+b.c(d)?e", "-- ", "x y:z/'", "\\"]
ENDINGS = ["", "--", "---", "-", "x"]
SPACES = ["", " ", "\t", " \t  "]
BREAKS = ["", "\n", "\r", "\r\n", "\n\n", "\r\n\n", "\r\r", "\n\r", "\n\n\n"]


def _lines(separator: str) -> list[str]:
    lines = [
        f"{separator}{ending}{spaces}{newline}{junk}"
        for ending, spaces, newline, junk in itertools.product(
            ENDINGS, SPACES, BREAKS, ["", "x", " x"]
        )
    ]
    return [*lines, separator[:-1], "x" + separator, "", "\n", separator.upper() + "\n"]


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_a_boundary_line_matches_as_the_parsers_pattern_does(boundary: str) -> None:
    separator = "--" + boundary
    pattern = mime_boundary.PREFIX + re.escape(separator) + mime_boundary.SUFFIX
    ours, theirs = mime_boundary.boundary_line(pattern), re.compile(pattern)
    assert isinstance(ours, mime_boundary.BoundaryLine)
    for line in _lines(separator):
        mine, real = ours.match(line), theirs.match(line)
        assert (mine is None) == (real is None), repr(line)
        if real is not None:
            assert mine is not None
            assert mine.group("sep", "end", "ws", "linesep") == real.group(
                "sep", "end", "ws", "linesep"
            ), repr(line)
            assert mine.group(0) == real.group(0) and mine.group(2, 4) == real.group(2, 4)
    assert ours.search("x" + separator) is not None  # anything else: the compiled pattern


def test_other_patterns_are_compiled_as_usual() -> None:
    assert isinstance(mime_boundary.boundary_line(r"(?P<sep>a)"), re.Pattern)
    bell = mime_boundary.PREFIX + "x\\a" + mime_boundary.SUFFIX  # "\a" is BEL, not "a"
    compiled = mime_boundary.boundary_line(bell)
    assert isinstance(compiled, re.Pattern) and compiled.match("x\a")


def test_parsing_multipart_mail_compiles_no_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = (
        b"From: Ann <ann@example.com>\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="outer-7281"\r\n\r\n'
        b"--outer-7281\r\n"
        b'Content-Type: multipart/alternative; boundary="inner-9173"\r\n\r\n'
        b"--inner-9173\r\nContent-Type: text/plain\r\n\r\nWhere is my order?\r\n"
        b"--inner-9173\r\nContent-Type: text/html\r\n\r\n<p>Where is my order?</p>\r\n"
        b"--inner-9173--\r\n"
        b"--outer-7281\r\nContent-Type: application/pdf; name=a.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n"
        b"--outer-7281--\r\n"
    )
    compiled: list[str] = []
    real_compile = re.compile

    def counted(pattern: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return real_compile(pattern, flags)

    monkeypatch.setattr(re, "compile", counted)
    parsed = parse_email(raw)
    assert parsed.text.strip() == "Where is my order?"
    assert parsed.html is not None and [a.filename for a in parsed.attachments] == ["a.pdf"]
    assert parsed.defects == ["no_message_id", "no_date"]
    assert compiled == []
