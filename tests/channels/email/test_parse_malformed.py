"""parse_email on broken mail: stored as far as possible, flagged, never an exception."""

from __future__ import annotations

import base64
import random
from pathlib import Path

import pytest

from kefu.channels.email.charsets import decode_bytes, decode_words
from kefu.channels.email.parse import Address, ParsedEmail, parse_email

MAIL = Path(__file__).parent / "mail"
ALL_MAIL = sorted(MAIL.glob("*.eml"))


def parse(name: str) -> ParsedEmail:
    return parse_email((MAIL / name).read_bytes())


def test_declared_boundary_missing_is_recovered_from_the_body() -> None:
    parsed = parse("broken_boundary.eml")
    assert parsed.text == "Hello, my order never arrived."
    assert parsed.defects == [
        "broken_mime: boundary recovered",
        "broken_mime: StartBoundaryNotFoundDefect",
        "broken_mime: MultipartInvariantViolationDefect",
    ]


def test_truncated_base64_attachment_keeps_text_and_what_decodes() -> None:
    parsed = parse("truncated_base64.eml")
    assert parsed.text == "Photo of the damage attached.\n"
    [photo] = parsed.attachments
    assert (photo.filename, photo.content_type) == ("damage.jpg", "image/jpeg")
    assert len(photo.data) == 135
    assert photo.data.startswith(b"\xff\xd8\xff\xe0")
    assert "broken_mime: CloseBoundaryNotFoundDefect" in parsed.defects


def test_unknown_charset_is_guessed() -> None:
    parsed = parse("unknown_charset.eml")
    assert parsed.subject == "Bestellung größe"
    assert parsed.text == "Die Größe passt nicht, bitte umtauschen.\n"
    assert parsed.defects == ["charset_guessed: utf-8 (declared x-unknown)"]


def test_utf8_label_on_gbk_bytes_is_corrected_in_body_and_subject() -> None:
    parsed = parse("mislabelled_charset.eml")
    assert parsed.subject == "订单查询"
    assert parsed.text == "您好，我的订单还没有收到，请帮忙查一下。订单号 1234。谢谢\n"
    assert parsed.defects == ["charset_guessed: gb18030 (declared utf-8)"]


def test_latin1_label_on_utf8_bytes_prefers_utf8() -> None:
    parsed = parse("latin1_really_utf8.eml")
    assert parsed.text == "Le colis est arrivé abîmé, merci de me rembourser.\n"
    assert parsed.defects == ["charset_guessed: utf-8 (declared iso-8859-1)"]


def test_raw_gbk_without_charset_in_body_and_headers() -> None:
    parsed = parse("raw_gbk_no_charset.eml")
    assert parsed.subject == "我的订单还没有收到"
    assert parsed.sender == Address(name="黄蓉", email="gbk.user@example.cn")
    assert parsed.text == "您好，我的订单还没有收到，请帮忙查一下。订单号 1234。谢谢\n"
    assert parsed.defects == [
        "charset_guessed: gb18030",
        "header_charset_guessed: gb18030 in from",
        "header_charset_guessed: gb18030 in subject",
    ]


def test_raw_big5_without_any_mime_headers() -> None:
    parsed = parse("raw_big5_no_charset.eml")
    assert parsed.subject == "我的訂單還沒有收到"
    assert parsed.text == "您好，我的訂單還沒有收到，請幫忙查一下。訂單號 1234。謝謝\n"
    assert parsed.defects == [
        "charset_guessed: big5hkscs",
        "header_charset_guessed: big5hkscs in subject",
    ]


def test_bare_lf_line_endings() -> None:
    parsed = parse("bare_lf.eml")
    assert parsed.text == "First line.\nSecond line with a soft break."
    assert parsed.html == "<p>First line.</p>"
    assert parsed.defects == []


def test_crlf_and_bare_lf_give_the_same_result() -> None:
    raw = (MAIL / "gmail_zh_attachment.eml").read_bytes()
    crlf, lf = parse_email(raw), parse_email(raw.replace(b"\r\n", b"\n"))
    assert (lf.subject, lf.text, lf.html, lf.attachments) == (
        crlf.subject,
        crlf.text,
        crlf.html,
        crlf.attachments,
    )


def test_no_from_falls_back_to_sender() -> None:
    parsed = parse("no_from.eml")
    assert parsed.sender == Address(name="Relay Bot", email="relay@forms.example")
    assert parsed.defects == ["no_from: used sender"]


def test_no_from_falls_back_to_return_path() -> None:
    raw = b"Return-Path: <bounce-1@mailer.example>\nSubject: hi\nMessage-ID: <r@x>\n\nbody\n"
    parsed = parse_email(raw)
    assert parsed.sender == Address(name="", email="bounce-1@mailer.example")
    assert parsed.defects == ["no_from: used return-path", "no_date"]


def test_no_sender_anywhere_and_no_message_id() -> None:
    parsed = parse("no_sender_at_all.eml")
    assert parsed.sender is None
    assert parsed.message_id is None
    assert parsed.text == "No From, no Sender, no Return-Path, no Message-ID.\n"
    assert parsed.defects == ["no_from", "no_message_id"]


def test_duplicate_message_id_keeps_the_first_and_references_in_order() -> None:
    parsed = parse("duplicate_message_id.eml")
    assert parsed.message_id == "first-id@example.com"
    assert parsed.in_reply_to == ["kefu.t1.m1.x@shop.example"]
    assert parsed.references == ["a@x", "b@x", "kefu.t1.m1.x@shop.example"]
    assert parsed.defects == ["duplicate_message_id"]


def test_garbage_message_id_and_date_folded_subject() -> None:
    parsed = parse("garbage_headers.eml")
    assert parsed.message_id is None
    assert parsed.date is None
    assert parsed.subject == "lots of folded whitespace"
    assert parsed.references == ["kefu.t9.m9.z@shop.example"]
    assert parsed.defects == ["bad_message_id", "bad_date: Someday, 99 Foo 20xx 99:99:99 +9999"]


def test_unbracketed_message_id_is_kept() -> None:
    parsed = parse_email(b"From: a@b.c\nMessage-ID: abc.123@host\n\nx")
    assert parsed.message_id == "abc.123@host"


def test_attachment_over_the_limit_is_dropped_and_the_mail_kept() -> None:
    # given a 20 MB attachment beside a small one
    big = base64.encodebytes(b"\0" * 20_000_000).decode()
    raw = (
        'From: a@example.com\nSubject: big\nContent-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nsee attached\n"
        '--b\nContent-Type: application/zip\nContent-Disposition: attachment; filename="x.zip"\n'
        f"Content-Transfer-Encoding: base64\n\n{big}\n"
        '--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename="small.txt"\n\n'
        "small\n--b--\n"
    ).encode()
    # when
    parsed = parse_email(raw, max_attachment_bytes=10_000_000)
    # then
    assert parsed.text == "see attached"
    assert [(a.filename, a.data) for a in parsed.attachments] == [("small.txt", b"small")]
    assert "attachment_too_large: x.zip (20000000 bytes)" in parsed.defects


def test_attachment_names_are_never_empty_and_have_no_path() -> None:
    raw = (
        b'From: a@example.com\nContent-Type: multipart/mixed; boundary="b"\n\n--b\n'
        b"Content-Type: text/plain\n\nhi\n--b\nContent-Type: image/png\n"
        b"Content-Disposition: attachment\n\nPNG\n--b\nContent-Type: application/pdf\n"
        b'Content-Disposition: attachment; filename="..\\\\..\\\\evil/../x.pdf"\n\n%PDF\n--b--\n'
    )
    parsed = parse_email(raw)
    assert [a.filename for a in parsed.attachments] == ["image.png", "x.pdf"]


def test_encoded_word_split_inside_a_character() -> None:
    data = "订单".encode()
    first, second = base64.b64encode(data[:4]).decode(), base64.b64encode(data[4:]).decode()
    assert decode_words(f"=?utf-8?B?{first}?= =?utf-8?B?{second}?=") == "订单"


def test_broken_encoded_words_do_not_raise() -> None:
    assert decode_words("=?utf-8?B?###?= ok =?nope?Q?caf=E9?=") == " ok café"


def test_refused_codecs_are_not_used() -> None:
    assert decode_bytes(b"caf\\xe9", "unicode_escape") == (
        "caf\\xe9",
        "ascii",
        "charset_guessed: ascii (declared unicode_escape)",
    )


@pytest.mark.parametrize("path", ALL_MAIL, ids=[p.name for p in ALL_MAIL])
def test_every_truncation_of_real_mail_parses(path: Path) -> None:
    raw = path.read_bytes()
    for end in range(0, len(raw), max(1, len(raw) // 60)):
        parsed = parse_email(raw[:end])
        assert parsed.size == end


def test_random_bytes_never_raise() -> None:
    rng = random.Random(5)
    seeds = [p.read_bytes() for p in ALL_MAIL]
    for _ in range(400):
        raw = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 30)):  # flip, insert and delete bytes
            at = rng.randrange(len(raw) or 1)
            action = rng.random()
            if action < 0.4 and raw:
                raw[at] = rng.randrange(256)
            elif action < 0.7:
                raw[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            else:
                del raw[at : at + rng.randint(1, 40)]
        parse_email(bytes(raw))
    for size in (0, 1, 10, 1000):
        parse_email(bytes(rng.randrange(256) for _ in range(size)))


def test_deeply_nested_multipart_does_not_raise() -> None:
    head = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(300)
    )
    parsed = parse_email(b"From: a@example.com\n" + head + b"Content-Type: text/plain\n\ndeep\n")
    assert parsed.sender == Address(name="", email="a@example.com")
