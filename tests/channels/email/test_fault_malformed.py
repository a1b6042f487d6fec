"""Malformed mail never stops the fetcher: each one is stored as far as possible (or kept raw
for review), flagged, and the next message goes on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.email_corpus import simple
from kefu.channels.email import imap
from kefu.channels.email.models import InboundFailure
from kefu.config import Settings
from kefu.db import Database
from kefu.kit.filestore import FileStore
from kefu.tickets.models import Message
from tests.channels.email.conftest import SUPPORT
from tests.channels.email.servers import Dovecot

MAIL = Path(__file__).parent / "mail"
# The mime worker's real-world-like fixtures that are broken in some way.
BROKEN_FIXTURES = [
    "bare_lf.eml",
    "broken_boundary.eml",
    "duplicate_message_id.eml",
    "garbage_headers.eml",
    "mislabelled_charset.eml",
    "no_from.eml",
    "no_sender_at_all.eml",
    "raw_big5_no_charset.eml",
    "raw_gbk_no_charset.eml",
    "truncated_base64.eml",
    "unknown_charset.eml",
]


def handmade() -> list[bytes]:
    """Broken in the ways the issue lists, made here so nothing depends on one fixture."""
    gbk = "您好，我的订单还没有发货，请帮忙查一下。".encode("gbk")
    big5 = "您好，我的訂單還沒有出貨，請幫忙查一下。".encode("big5")
    huge = b"A" * 20_000_000
    return [
        # raw 8-bit GBK with no charset, bare LF line endings, no Message-ID
        b"From: Zhang <zhang@example.com>\nTo: support@example.com\nSubject: GBK\n\n" + gbk,
        # Big5 labelled as UTF-8
        b"From: Chan <chan@example.com>\r\nTo: support@example.com\r\nSubject: Big5\r\n"
        b"Message-ID: <big5.1@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + big5,
        # an unknown charset and encoded words in it
        b"From: =?x-unknown?B?Wk9F?= <zoe@example.com>\r\nTo: support@example.com\r\n"
        b"Subject: =?x-unknown?Q?hello?=\r\nContent-Type: text/plain; charset=x-unknown\r\n"
        b"\r\nbody\r\n",
        # multipart that never ends, with a base64 part that is not base64
        b"From: Ann <ann@example.com>\r\nTo: support@example.com\r\nSubject: broken\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\n'
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not$$$\r\n",
        # no From at all, no Message-ID
        b"To: support@example.com\r\nSubject: who am I\r\n\r\nanonymous\r\n",
        # two different messages with the same Message-ID
        simple(1, message_id="<same@example.com>", body="first\n"),
        simple(2, message_id="<same@example.com>", body="second, different\n"),
        # a 20 MB attachment, over the 10 MB limit set below
        b"From: Bo <bo@example.com>\r\nTo: support@example.com\r\nSubject: big\r\n"
        b"Message-ID: <big.1@example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
        b"Content-Type: text/plain\r\n\r\nsee attached\r\n--B\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="big.bin"\r\n\r\n' + huge + b"\r\n--B--\r\n",
        # empty
        b"\r\n",
    ]


@pytest.mark.slow
def test_malformed_mail_never_stops_the_fetcher(
    database: Database,
    files: FileStore,
    settings: Settings,
    dovecot: Dovecot,
    imap_folder: str,
    mailbox_id: int,
) -> None:
    # given: every kind of broken mail, then an ordinary message after them
    broken = [(MAIL / name).read_bytes() for name in BROKEN_FIXTURES] + handmade()
    after = simple(99, subject="After the broken ones", message_id="<after.99@example.com>")
    dovecot.append(SUPPORT, imap_folder, [*broken, after])
    small_limit = settings.model_copy(update={"max_attachment_bytes": 10_000_000})
    # when
    report = imap.fetch_once(
        database,
        files,
        mailbox_id=mailbox_id,
        settings=small_limit,
        batch_size=5,
        server=dovecot.settings(SUPPORT),
    )
    # then: all taken and acknowledged, none lost, the ordinary one stored
    total = len(broken) + 1
    assert report.error is None
    assert report.fetched == total
    assert report.stored + report.duplicates + report.failed == total
    on_server = dovecot.read(SUPPORT, imap_folder)
    assert len(on_server) == total and all(m.is_ingested for m in on_server)
    with database.unit_of_work() as session:
        messages = session.scalar(select(func.count()).select_from(Message)) or 0
        failures = session.scalar(select(func.count()).select_from(InboundFailure)) or 0
        subjects = set(session.scalars(select(Message.body_text)))
    assert messages + failures >= total - report.duplicates
    assert report.failed == failures
    assert any("message 99" in text for text in subjects)
    # and a second pass finds nothing left to do
    again = imap.fetch_once(
        database,
        files,
        mailbox_id=mailbox_id,
        settings=small_limit,
        server=dovecot.settings(SUPPORT),
    )
    assert (again.fetched, again.error) == (0, None)
