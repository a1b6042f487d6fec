"""Long base64 runs kept out of the MIME parser's line loop: the parsed tree is the parser's
own, on every mail we keep and on generated mail with runs wherever the parser draws a line."""

from __future__ import annotations

import random
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path

import pytest

from bench.email_corpus import generate
from kefu.channels.email import mime_runs
from kefu.channels.email.parse import parse_email

HERE = Path(__file__).parent
PARSER = BytesParser(policy=compat32)
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _tree(message: Message) -> object:
    """Everything the parser put in a message, its parts' included."""
    payload = message._payload  # the parser's own attribute, as it left it
    return (
        type(message).__name__,
        message.get_unixfrom(),
        list(message.raw_items()),
        [_tree(part) for part in payload] if isinstance(payload, list) else payload,
        message.preamble,
        message.epilogue,
        [type(defect).__name__ for defect in message.defects],
        message.get_default_type(),
    )


def _same_as_the_parser(raw: bytes) -> None:
    assert _tree(mime_runs.parse(PARSER, raw, min_size=0)) == _tree(PARSER.parsebytes(raw))


def _run(rng: random.Random, lines: int, newline: bytes) -> bytes:
    body = b"".join(
        "".join(rng.choice(B64) for _ in range(rng.choice([40, 64, 72, 76]))).encode() + newline
        for _ in range(lines)
    )
    return body + (b"QUJD==" + newline if rng.random() < 0.5 else b"")


def _part(rng: random.Random, depth: int, newline: bytes) -> bytes:
    """A random MIME entity: runs in its body, preamble, epilogue or right after its headers
    (no blank line), nested multiparts, attached messages, delivery status, 8-bit text."""
    kind = rng.choice(["leaf", "leaf", "multipart", "message", "status"] if depth < 3 else ["leaf"])
    n = newline
    run = _run(rng, rng.choice([31, 32, 33, 80, 400]), n)
    text = rng.choice(
        [b"hello" + n, "你好".encode("gbk") + n, b"", b"KEFURUN0123456789abcdef00000007" + n]
    )
    if kind == "leaf":
        separator = n if rng.random() < 0.8 else b""
        long_header = b"Keywords:" + "".join(rng.choices(B64, k=60)).encode() + n
        return (
            b"Content-Type: application/pdf"
            + n
            + b"Content-Transfer-Encoding: base64"
            + n
            + long_header  # right before a run when the blank line is missing
            + separator
            + text
            + run
        )
    if kind == "message":
        return (
            b"Content-Type: message/rfc822"
            + n
            + n
            + b"Subject: inner"
            + n
            + _part(rng, depth + 1, n)
        )
    if kind == "status":
        return (
            b"Content-Type: message/delivery-status"
            + n
            + n
            + b"Reporting-MTA: dns; x"
            + n
            + n
            + run
            + n
            + b"Action: failed"
            + n
        )
    boundary = rng.choice([f"b{depth}-{rng.randrange(10**6)}", "".join(rng.choices(B64, k=60))])
    boundary = boundary.encode()
    parts = [_part(rng, depth + 1, n) for _ in range(rng.randint(1, 3))]
    body = b"".join(b"--" + boundary + n + part + n for part in parts)
    closing = b"--" + boundary + b"--" + n if rng.random() < 0.9 else b""
    preamble = run if rng.random() < 0.3 else text
    epilogue = run if rng.random() < 0.3 else text
    return (
        b'Content-Type: multipart/mixed; boundary="'
        + boundary
        + b'"'
        + n
        + n
        + preamble
        + body
        + closing
        + epilogue
    )


@pytest.mark.parametrize("seed", range(200))
def test_generated_mail_parses_to_the_parsers_own_tree(seed: int) -> None:
    rng = random.Random(seed)
    newline = rng.choice([b"\r\n", b"\n"])
    raw = b"From: a@example.com" + newline + b"Subject: runs" + newline + _part(rng, 0, newline)
    if rng.random() < 0.2:
        raw = raw.rstrip(b"\r\n")  # the last line unterminated
    if rng.random() < 0.1:
        raw = _run(rng, 40, newline) + raw  # no headers at all
    _same_as_the_parser(raw)


def test_every_mail_we_keep_parses_to_the_parsers_own_tree() -> None:
    kept = [p for p in HERE.rglob("*") if p.suffix in {".eml", ".txt"} and p.is_file()]
    assert len(kept) > 40
    for path in kept:
        _same_as_the_parser(path.read_bytes())
    for raw in generate(400, seed=7):
        _same_as_the_parser(raw)


def test_a_run_is_parsed_as_one_line_and_put_back() -> None:
    rng = random.Random(1)
    attachment = _run(rng, 2000, b"\r\n")
    raw = (
        b"From: a@example.com\r\nSubject: photo\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="xyz"\r\n\r\n'
        b"--xyz\r\nContent-Type: text/plain\r\n\r\nsee the photo\r\n"
        b"--xyz\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="box.jpg"\r\n\r\n' + attachment + b"--xyz--\r\n"
    )
    lines_read: list[int] = []
    original = PARSER.parsebytes

    class Counting(BytesParser):
        def parsebytes(self, text: bytes, headersonly: bool = False) -> Message:  # type: ignore[override]
            lines_read.append(text.count(b"\n"))
            return original(text, headersonly)

    message = mime_runs.parse(Counting(policy=compat32), raw)
    assert lines_read[0] < 30  # the 2,000 lines went to the parser as one
    photo = message.get_payload()[1]
    assert photo.get_payload() == attachment.decode().removesuffix("\r\n")
    parsed = parse_email(raw)
    assert parsed.attachments[0].data == photo.get_payload(decode=True)


def test_mail_without_runs_goes_to_the_parser_as_it_is() -> None:
    plain = b"From: a@example.com\r\nSubject: hi\r\n\r\n" + b"word " * 5000 + b"\r\n"
    assert _tree(mime_runs.parse(PARSER, plain)) == _tree(PARSER.parsebytes(plain))
