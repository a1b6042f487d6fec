"""Mailboxes through the service: set-up, encrypted secrets, refusals that change nothing."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from kefu.channels.email import mailboxes
from kefu.channels.email.models import Mailbox
from kefu.channels.email.schemas import MailboxCreate, MailboxUpdate
from kefu.channels.email.transport import ServerSettings
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.kit import secretbox
from kefu.kit.actor import Actor
from tests.channels.email.mailbox_factories import KEY, make_mailbox

ADMIN = Actor(kind="agent", name="Ada", agent_id=1, role="admin")
MANAGER = Actor(kind="agent", name="Max", agent_id=2, role="manager")
SECRETS = ("imap-pass-123", "smtp-pass-456")


def _snapshot(database: Database) -> list[tuple[object, ...]]:
    with database.sessions() as session:
        rows = session.scalars(select(Mailbox).order_by(Mailbox.id)).all()
        return [
            (m.id, m.name, m.address, m.imap_host, m.imap_secret_enc, m.is_active) for m in rows
        ]


def test_create_stores_settings_and_encrypts_secrets(database: Database) -> None:
    # when
    created = make_mailbox(database, address="  Support@Shop.Example ", from_name="Shop Support")
    # then
    with database.sessions() as session:
        mailbox = session.get(Mailbox, created.id)
        assert mailbox is not None
        assert (mailbox.name, mailbox.address, mailbox.from_name) == (
            "Support",
            "support@shop.example",
            "Shop Support",
        )
        assert (mailbox.imap_port, mailbox.imap_security, mailbox.imap_folder) == (
            993,
            "ssl",
            "INBOX",
        )
        assert (mailbox.smtp_port, mailbox.smtp_security) == (587, "starttls")
        assert (mailbox.auth_kind, mailbox.is_active, mailbox.imap_archive_folder) == (
            "password",
            True,
            None,
        )
        assert mailbox.imap_secret_enc is not None and mailbox.smtp_secret_enc is not None
        assert "imap-pass-123" not in mailbox.imap_secret_enc
        assert secretbox.decrypt(mailbox.imap_secret_enc, key=KEY) == "imap-pass-123"
        assert secretbox.decrypt(mailbox.smtp_secret_enc, key=KEY) == "smtp-pass-456"
        assert mailbox.oauth_refresh_token_enc is None


def test_the_audit_log_records_the_mailbox_without_its_secrets(database: Database) -> None:
    created = make_mailbox(database)
    with database.unit_of_work(actor=ADMIN) as session:
        mailboxes.update_mailbox(
            session,
            actor=ADMIN,
            mailbox_id=created.id,
            data=MailboxUpdate(smtp_password="new-smtp-pass-789", brand="Acme"),
            key=KEY,
        )
    with database.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "mailboxes").order_by(AuditEntry.id)
        ).all()
    assert [e.action for e in entries] == ["mailboxes.created", "mailboxes.updated"]
    assert entries[0].changes["imap_secret_enc"] == [None, "[redacted]"]
    assert entries[1].changes == {
        "brand": ["", "Acme"],
        "smtp_secret_enc": ["[redacted]", "[redacted]"],
    }
    assert entries[1].actor_ref == "agent:1"
    everything = repr([e.changes for e in entries])
    for secret in (*SECRETS, "new-smtp-pass-789"):
        assert secret not in everything


def test_a_second_mailbox_with_the_same_address_is_refused(database: Database) -> None:
    make_mailbox(database)
    before = _snapshot(database)
    with pytest.raises(Conflict) as refused, database.unit_of_work() as session:
        mailboxes.create_mailbox(
            session,
            actor=ADMIN,
            data=MailboxCreate(name="Copy", address="SUPPORT@shop.example", smtp_host="x.example"),
            key=KEY,
        )
    assert refused.value.status == 409
    assert refused.value.message == (
        "another mailbox (Support) already uses the address support@shop.example"
    )
    assert _snapshot(database) == before


def test_renaming_an_address_onto_another_mailbox_is_refused(database: Database) -> None:
    make_mailbox(database)
    second = make_mailbox(database, name="Sales", address="sales@shop.example")
    before = _snapshot(database)
    with pytest.raises(Conflict), database.unit_of_work() as session:
        mailboxes.update_mailbox(
            session,
            actor=ADMIN,
            mailbox_id=second.id,
            data=MailboxUpdate(address="support@shop.example"),
            key=KEY,
        )
    assert _snapshot(database) == before


def test_oauth2_without_a_refresh_token_is_refused(database: Database) -> None:
    with pytest.raises(InvalidInput) as refused, database.unit_of_work() as session:
        mailboxes.create_mailbox(
            session,
            actor=ADMIN,
            data=MailboxCreate(
                name="Gmail",
                address="help@shop.example",
                auth_kind="xoauth2",
                imap_host="imap.gmail.com",
                oauth_token_url="https://oauth2.googleapis.com/token",
                oauth_client_id="client-1",
            ),
            key=KEY,
        )
    assert refused.value.message == "OAuth2 sign-in needs oauth_refresh_token"
    assert _snapshot(database) == []


def test_a_mailbox_needs_a_server(database: Database) -> None:
    with pytest.raises(InvalidInput) as refused, database.unit_of_work() as session:
        mailboxes.create_mailbox(
            session, actor=ADMIN, data=MailboxCreate(name="X", address="x@shop.example"), key=KEY
        )
    assert refused.value.message == "set an IMAP server, an SMTP server, or both"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address", "not an address"),
        ("imap_port", 0),
        ("smtp_port", 70000),
        ("imap_security", "tls"),
        ("oauth_token_url", "http://accounts.example.com/token"),
        ("imap_host", "imaps://imap.example.com"),
        ("name", "   "),
    ],
)
def test_bad_values_do_not_validate(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        MailboxCreate.model_validate(
            {"name": "S", "address": "s@shop.example", "smtp_host": "smtp.example", field: value}
        )


def test_an_empty_secret_on_update_keeps_the_stored_one(database: Database) -> None:
    created = make_mailbox(database)
    before = _snapshot(database)
    with database.unit_of_work() as session:
        mailboxes.update_mailbox(
            session,
            actor=ADMIN,
            mailbox_id=created.id,
            data=MailboxUpdate(imap_password="", smtp_password=None, name="Help desk"),
            key=KEY,
        )
    with database.sessions() as session:
        mailbox = session.get(Mailbox, created.id)
        assert mailbox is not None and mailbox.name == "Help desk"
        assert mailbox.imap_secret_enc == before[0][4]
        assert secretbox.decrypt(mailbox.smtp_secret_enc or "", key=KEY) == "smtp-pass-456"


@pytest.mark.parametrize(
    "actor", [MANAGER, Actor(kind="agent", name="Al", agent_id=3, role="agent")]
)
def test_only_admins_manage_mailboxes(database: Database, actor: Actor) -> None:
    created = make_mailbox(database)
    before = _snapshot(database)
    with pytest.raises(PermissionDenied), database.unit_of_work() as session:
        mailboxes.update_mailbox(
            session, actor=actor, mailbox_id=created.id, data=MailboxUpdate(name="Mine"), key=KEY
        )
    with pytest.raises(PermissionDenied), database.unit_of_work() as session:
        mailboxes.deactivate_mailbox(session, actor=actor, mailbox_id=created.id)
    assert _snapshot(database) == before


def test_deactivate_keeps_the_mailbox_and_lists_show_it(database: Database) -> None:
    support = make_mailbox(database)
    sales = make_mailbox(database, name="Sales", address="sales@shop.example")
    with database.unit_of_work() as session:
        mailboxes.deactivate_mailbox(session, actor=ADMIN, mailbox_id=sales.id)
    with database.sessions() as session:
        assert [m.id for m in mailboxes.list_mailboxes(session)] == [sales.id, support.id]
        active = mailboxes.list_mailboxes(session, include_inactive=False)
        assert [m.id for m in active] == [support.id]
        assert mailboxes.own_addresses(session) == frozenset(
            {"support@shop.example", "sales@shop.example"}
        )
        found = mailboxes.mailbox_for_address(session, " Sales@Shop.EXAMPLE ")
        assert found is not None and found.id == sales.id
        assert mailboxes.mailbox_for_address(session, "other@shop.example") is None
        with pytest.raises(NotFound):
            mailboxes.get_mailbox(session, 999)


def test_server_settings_decrypts_each_servers_password(database: Database) -> None:
    created = make_mailbox(database, smtp_username="")
    with database.sessions() as session:
        mailbox = mailboxes.get_mailbox(session, created.id)
        imap = mailboxes.server_settings(session, mailbox, "imap", key=KEY)
        smtp = mailboxes.server_settings(session, mailbox, "smtp", key=KEY)
    assert imap == ServerSettings(
        host="imap.shop.example",
        port=993,
        security="ssl",
        username="support@shop.example",
        secret="imap-pass-123",
    )
    assert smtp == ServerSettings(
        host="smtp.shop.example",
        port=587,
        security="starttls",
        username="",
        secret="smtp-pass-456",
    )


def test_server_settings_after_the_instance_key_changed_says_so(database: Database) -> None:
    created = make_mailbox(database)
    with database.sessions() as session:
        mailbox = mailboxes.get_mailbox(session, created.id)
        with pytest.raises(secretbox.SecretUnreadable):
            mailboxes.server_settings(session, mailbox, "imap", key="another key entirely")


def test_server_settings_uses_the_running_instance_key(database: Database, runtime: object) -> None:
    created = make_mailbox(database)
    with database.sessions() as session:
        mailbox = mailboxes.get_mailbox(session, created.id)
        assert mailboxes.server_settings(session, mailbox, "smtp").secret == "smtp-pass-456"


def test_a_stored_access_token_is_used_while_it_lasts(database: Database) -> None:
    # given: an OAuth mailbox whose token endpoint does not exist, and a valid token
    created = make_mailbox(
        database,
        auth_kind="xoauth2",
        oauth_token_url="https://127.0.0.1:1/token",
        oauth_client_id="client-1",
        oauth_refresh_token="refresh-1",
    )
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    with database.unit_of_work() as session:
        mailbox = mailboxes.get_mailbox(session, created.id)
        mailbox.oauth_access_token_enc = secretbox.encrypt("access-1", key=KEY)
        mailbox.oauth_expires_at = datetime(2026, 11, 23, 12, 5, 1, tzinfo=UTC)
    # when / then: no request is made
    with database.sessions() as session:
        mailbox = mailboxes.get_mailbox(session, created.id)
        settings = mailboxes.server_settings(session, mailbox, "imap", now=now, key=KEY)
    assert (settings.auth_kind, settings.secret) == ("xoauth2", "access-1")
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Mailbox)) == 1
