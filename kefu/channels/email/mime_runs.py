"""Parsing mail with long base64 attachments without the MIME parser walking each line.

The standard library's parser (email.feedparser) handles a mail line by line in Python:
a photo of damaged goods, 1.5 MB in base64, is ~20,000 lines and ~60 ms before anything is
decoded (5 ms for the bench's 20–200 kB attachments, against 0.35 ms for a whole plain mail).

`parse` replaces each run of at least MIN_RUN_LINES lines made only of base64's letters
(which is also every line of a base64 body) by one token line of letters and digits, parses
that, and puts the runs back into the parsed tree's payloads, preambles and epilogues. The
tree is the same as the parser's own: a run's lines are, for the parser, plain body lines
like the token (no colon, no leading blank, no "--": never a header, a boundary or a blank
line), which it only collects, and a run's last line break stays outside the token, where
the parser strips the break before a boundary. tests/channels/email/test_mime_runs.py
compares the two trees on every mail we keep.
"""

from __future__ import annotations

import re
import secrets
from email.message import Message
from email.parser import BytesParser

MIN_SIZE = 16_384  # smaller mail has no run worth the scan
MIN_RUN_LINES = 32
_RUN = re.compile(rb"^(?:[A-Za-z0-9+/=]{40,998}\r?\n){%d,}" % MIN_RUN_LINES, re.MULTILINE)
_TOKEN = re.compile("KEFURUN[0-9a-f]{16}[0-9]{8}")


def parse(parser: BytesParser, raw: bytes, *, min_size: int = MIN_SIZE) -> Message:
    """`parser.parsebytes(raw)`, with long base64 runs kept out of the parser's line loop."""
    if len(raw) < min_size:
        return parser.parsebytes(raw)
    runs = list(_RUN.finditer(raw))
    if not runs:
        return parser.parsebytes(raw)
    stem = _stem(raw)
    pieces: list[bytes] = []
    originals: dict[str, str] = {}
    done = 0
    for number, run in enumerate(runs):
        end = run.end() - (2 if raw[run.end() - 2 : run.end()] == b"\r\n" else 1)  # kept
        token = f"{stem}{number:08d}"
        pieces += [raw[done : run.start()], token.encode("ascii")]
        originals[token] = raw[run.start() : end].decode("ascii")
        done = end
    pieces.append(raw[done:])
    message = parser.parsebytes(b"".join(pieces))
    _restore(message, stem, originals)
    return message


def _stem(raw: bytes) -> str:
    """A token prefix found nowhere in the mail, so no text of it is taken for a run."""
    while True:
        stem = "KEFURUN" + secrets.token_hex(8)
        if stem.encode("ascii") not in raw:
            return stem


def _restore(message: Message, stem: str, originals: dict[str, str]) -> None:
    """Put every run back where its token landed."""

    def back(found: re.Match[str]) -> str:
        return originals.get(found.group(0), found.group(0))

    for part in message.walk():
        for name in ("_payload", "preamble", "epilogue"):
            value = getattr(part, name, None)
            if isinstance(value, str) and stem in value:
                setattr(part, name, _TOKEN.sub(back, value))
