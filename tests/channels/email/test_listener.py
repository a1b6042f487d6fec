"""The SMTP/LMTP listener: 250 only after the mail is committed, 550 for strangers, 451 when
kefu cannot store it now, per-recipient answers over LMTP."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bench.email_corpus import simple
from kefu.channels.email import inbound
from kefu.channels.email.listener import start_listener
from kefu.db import Database
from kefu.kit.filestore import FileStore
from kefu.runtime import open_database
from kefu.tickets.models import Message
from tests.channels.email.conftest import add_mailbox
from tests.channels.email.servers import lmtp_send
from tests.conftest import free_port


def stored_messages(database: Database) -> int:
    with database.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(Message)) or 0)


@pytest.fixture
def smtp_port(database: Database, files: FileStore) -> Iterator[int]:
    add_mailbox(database, address="support@example.com")
    port = free_port()
    listener = start_listener(database, files, port=port)
    yield port
    listener.stop()


@pytest.fixture
def lmtp_port(database: Database, files: FileStore) -> Iterator[int]:
    add_mailbox(database, address="support@example.com")
    add_mailbox(database, address="sales@example.com")
    port = free_port()
    listener = start_listener(database, files, port=port, lmtp=True)
    yield port
    listener.stop()


def test_smtp_mail_is_stored_before_250(database: Database, smtp_port: int) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
        refused = client.sendmail("customer@example.com", ["Support@Example.com"], simple(1))
    assert refused == {}
    assert stored_messages(database) == 1


def test_smtp_unknown_recipient_is_refused(database: Database, smtp_port: int) -> None:
    with (
        smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        client.sendmail("customer@example.com", ["nobody@example.com"], simple(1))
    code, text = refused.value.recipients["nobody@example.com"]
    assert code == 550 and b"no such mailbox" in text
    assert stored_messages(database) == 0


def test_smtp_answers_451_when_the_mail_cannot_be_stored_now(
    database: Database, smtp_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the database refuses writes right now
    def database_down(*args: object, **kwargs: object) -> list[inbound.Receipt]:
        raise ConnectionRefusedError("database is down")

    monkeypatch.setattr(inbound, "receive_emails", database_down)
    # when
    with (
        smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client,
        pytest.raises(smtplib.SMTPDataError) as error,
    ):
        client.sendmail("customer@example.com", ["support@example.com"], simple(1))
    # then
    assert error.value.smtp_code == 451
    monkeypatch.undo()
    assert stored_messages(database) == 0


def test_rcpt_answers_451_when_the_database_is_unreachable(files: FileStore) -> None:
    # given: a database nobody listens for
    unreachable = open_database(f"postgresql+psycopg://kefu@127.0.0.1:{free_port()}/kefu")
    port = free_port()
    listener = start_listener(unreachable, files, port=port)
    try:
        # when
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=30) as client,
            pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
        ):
            client.sendmail("customer@example.com", ["support@example.com"], simple(1))
    finally:
        listener.stop()
        unreachable.dispose()
    # then
    assert refused.value.recipients["support@example.com"][0] == 451


def test_lmtp_answers_each_recipient(database: Database, lmtp_port: int) -> None:
    # when
    replies = lmtp_send(
        "127.0.0.1",
        lmtp_port,
        "customer@example.com",
        ["support@example.com", "nobody@example.com", "sales@example.com"],
        simple(1),
    )
    # then
    assert {rcpt: code for rcpt, (code, _) in replies.items()} == {
        "support@example.com": 250,
        "nobody@example.com": 550,
        "sales@example.com": 250,
    }
    assert stored_messages(database) == 1  # one Message-ID, one ticket message


def test_lmtp_one_recipient_failing_leaves_the_other_accepted(
    database: Database, lmtp_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: storing for the second mailbox fails
    real = inbound.receive_emails
    calls: list[int | None] = []

    def flaky(*args: object, mailbox_id: int | None, **kwargs: object) -> list[inbound.Receipt]:
        calls.append(mailbox_id)
        if len(calls) == 2:
            raise ConnectionRefusedError("database is down")
        return real(*args, mailbox_id=mailbox_id, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(inbound, "receive_emails", flaky)
    # when
    replies = lmtp_send(
        "127.0.0.1",
        lmtp_port,
        "customer@example.com",
        ["support@example.com", "sales@example.com"],
        simple(1),
    )
    # then
    assert replies["support@example.com"][0] == 250
    assert replies["sales@example.com"][0] == 451
    monkeypatch.undo()
    assert stored_messages(database) == 1


def test_lmtp_redelivery_is_a_duplicate(database: Database, lmtp_port: int) -> None:
    raw = simple(7)
    for _ in range(2):
        with smtplib.LMTP("127.0.0.1", lmtp_port, timeout=10) as client:
            assert client.sendmail("customer@example.com", ["support@example.com"], raw) == {}
    assert stored_messages(database) == 1
