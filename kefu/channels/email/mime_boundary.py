"""The MIME parser's boundary lines matched without compiling a regular expression per mail.

The standard library's parser (email.feedparser) compiles one pattern per multipart part:
`(?P<sep>--<boundary>)(?P<end>--)?(?P<ws>[ \\t]*)(?P<linesep>\\r\\n|\\r|\\n)?$`. Boundaries
are random, so `re`'s cache never holds them and each costs a full compile (~0.1 ms; most
customer mail is multipart, often nested). `install()` gives the parser's module a `re` whose
`compile` answers that one pattern with `BoundaryLine`, which matches exactly the same lines
with the same groups by string operations, and hands every other pattern to `re`. Anything
else asked of a BoundaryLine is answered by the compiled pattern, so a later parser that
uses the pattern differently still works, only slower.
"""

from __future__ import annotations

import email.feedparser
import re
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

PREFIX = "(?P<sep>"
SUFFIX = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_GROUPS = ("sep", "end", "ws", "linesep")
_lock = threading.Lock()


class BoundaryMatch:
    """The groups of a match, as `re.Match.group` gives them by name or number."""

    __slots__ = ("_groups",)

    def __init__(self, sep: str, end: str | None, ws: str, linesep: str | None) -> None:
        self._groups = (sep, end, ws, linesep)

    def group(self, *names: str | int) -> Any:
        values = tuple(self._one(name) for name in names or (0,))
        return values[0] if len(values) == 1 else values

    def _one(self, name: str | int) -> str | None:
        if name == 0:
            return "".join(part for part in self._groups if part)
        if isinstance(name, int) and 1 <= name <= 4:
            return self._groups[name - 1]
        if name in _GROUPS:
            return self._groups[_GROUPS.index(name)]  # type: ignore[arg-type]
        raise IndexError("no such group")


class BoundaryLine:
    """`re.compile(PREFIX + re.escape(separator) + SUFFIX)`, matched with str methods."""

    __slots__ = ("_compiled", "match", "pattern")

    def __init__(self, separator: str, pattern: str) -> None:
        self.match = _matcher(separator)  # a closure: it runs for every line of a part
        self._compiled: re.Pattern[str] | None = None
        self.pattern = pattern

    def __getattr__(self, name: str) -> Any:  # anything else: the real pattern
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return getattr(self._compiled, name)


def _matcher(separator: str) -> Callable[[str], BoundaryMatch | None]:
    size = len(separator)

    def match(line: str) -> BoundaryMatch | None:
        if not line.startswith(separator):
            return None
        rest = line[size:]
        if rest.startswith("--"):  # the closing boundary, tried first as the pattern does
            found = _after_separator(rest[2:])
            if found is not None:
                return BoundaryMatch(separator, "--", *found)
        found = _after_separator(rest)
        return None if found is None else BoundaryMatch(separator, None, *found)

    return match


def _after_separator(rest: str) -> tuple[str, str | None] | None:
    """(ws, linesep) when `[ \\t]*(\\r\\n|\\r|\\n)?$` matches all of `rest`, else None.
    `$` also matches before a last "\\n", and the alternatives are tried in order."""
    tail = rest.lstrip(" \t")
    ws = rest[: len(rest) - len(tail)]
    for linesep in ("\r\n", "\r", "\n"):
        if tail.startswith(linesep) and tail[len(linesep) :] in ("", "\n"):
            return ws, linesep
    if tail in ("", "\n"):
        return ws, None
    return None


def boundary_line(pattern: str, flags: int = 0) -> BoundaryLine | re.Pattern[str]:
    """The parser's boundary pattern as a BoundaryLine; any other pattern compiled."""
    if flags == 0 and isinstance(pattern, str):
        separator = _separator_of(pattern)
        if separator is not None:
            return BoundaryLine(separator, pattern)
    return re.compile(pattern, flags)


def _separator_of(pattern: str) -> str | None:
    if not (pattern.startswith(PREFIX) and pattern.endswith(SUFFIX)):
        return None
    escaped = pattern[len(PREFIX) : len(pattern) - len(SUFFIX)]
    separator = re.sub(r"\\(.)", r"\1", escaped, flags=re.DOTALL)
    return separator if re.escape(separator) == escaped else None


def install() -> None:
    """Give email.feedparser the `re` above (once; idempotent, thread-safe)."""
    with _lock:
        current = email.feedparser.re
        if getattr(current, "compile", None) is boundary_line:
            return
        names = {name: getattr(re, name) for name in dir(re) if not name.startswith("__")}
        email.feedparser.re = SimpleNamespace(**{**names, "compile": boundary_line})  # type: ignore[assignment]
