"""Replies from macros: sent as an automatic reply (Auto-Submitted: auto-replied), never to an
auto-reply, a bounce or a list mail, and never to a reply a rule wrote."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from kefu.automation.rules import macro_link
from kefu.automation.rules.models import RuleRun
from kefu.channels.email.compose import Reply, build_reply
from kefu.db import Database
from kefu.ingest.schemas import InboundMessage, Sender
from kefu.ingest.service import ingest
from kefu.kit.actor import Actor
from kefu.tickets.messages import list_messages
from tests.automation.rule_factories import make_rule, run_rule_handlers
from tests.tickets.factories import receive


@dataclass
class Rendered:
    body_text: str
    body_html: str | None = None
    changes: list[Any] = field(default_factory=list)
    macro_id: int = 1


@pytest.fixture
def macro(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for the macros part's renderer (its own tests cover rendering)."""

    def render_macro(session: Any, *, macro_id: int, ticket_id: int, **_: Any) -> Rendered:
        return Rendered(body_text=f"Thanks, we got your message about ticket #{ticket_id}.")

    monkeypatch.setattr(macro_link, "render_macro_fn", lambda: render_macro)
    monkeypatch.setattr(macro_link, "macro_exists", lambda session, macro_id: True)
    monkeypatch.setattr(macro_link, "record_use", lambda session, macro_id: None)


def _automated(database: Database, ticket_id: int) -> None:
    message = InboundMessage(
        channel="email",
        source_id="<ooo-1@example.com>",
        sender=Sender(email="emily@example.com", name="Emily Chen"),
        subject="Out of office",
        body_text="I am away until Monday.",
        ticket_id=ticket_id,
        is_automated=True,
    )
    with database.unit_of_work(actor=Actor.system()) as session:
        ingest(session, message=message)


def _replies(database: Database, ticket_id: int) -> list[tuple[str, str]]:
    with database.sessions() as session:
        return [
            (m.author_type, m.details.get("auto_submitted", ""))
            for m in list_messages(session, ticket_id)
            if m.kind == "reply" and m.author_type != "customer"
        ]


def test_a_reply_trigger_answers_a_customer_but_never_an_auto_reply(
    database: Database, macro: None
) -> None:
    # given a trigger that acknowledges every customer message
    rule = make_rule(
        database,
        events=["message.added"],
        actions=[{"type": "reply_from_macro", "macro_id": 1}],
    )
    first = receive(database, text="Where is my parcel?")
    run_rule_handlers(database)
    assert _replies(database, first.ticket_id) == [("agent", "auto-replied")]
    # when the customer's auto-responder answers our reply
    _automated(database, first.ticket_id)
    run_rule_handlers(database)
    # then no reply goes back to it
    assert _replies(database, first.ticket_id) == [("agent", "auto-replied")]
    with database.sessions() as session:
        summaries = [r.summary for r in session.scalars(select(RuleRun).order_by(RuleRun.id))]
    assert [r for r in summaries if any("auto-reply" in s for s in r)] != []
    assert rule.id


def test_our_automatic_replies_carry_auto_submitted(tmp_path: Any) -> None:
    reply = Reply(
        ticket_id=7,
        subject="Where is my parcel?",
        from_address="help@shop.example",
        from_name="Shop",
        to=["emily@example.com"],
        cc=[],
        body_text="Thanks!",
        body_html=None,
        signature="",
        thread_ids=[],
        in_reply_to=None,
        quote_author=None,
        quote_at=None,
        quote_text=None,
        attachments=[],
        sent_at=datetime(2026, 12, 1, tzinfo=UTC),
        auto_submitted="auto-replied",
    )
    mail = build_reply(reply, rfc_message_id="kefu.7.1.x@shop.example", files=None)  # type: ignore[arg-type]
    assert mail["Auto-Submitted"] == "auto-replied"
    reply.auto_submitted = None
    agent_mail = build_reply(reply, rfc_message_id="kefu.7.2.x@shop.example", files=None)  # type: ignore[arg-type]
    assert agent_mail["Auto-Submitted"] is None


def test_a_reply_from_a_real_macro(database: Database) -> None:
    """With the macros part installed: the macro filled for the ticket, its use counted."""
    macros = pytest.importorskip("kefu.automation.macros.service")
    schemas = pytest.importorskip("kefu.automation.macros.schemas")
    with database.unit_of_work(actor=Actor.system()) as session:
        data = schemas.MacroCreate(name="Ack", bodies={"en": "On it: ticket #{{ ticket.id }}."})
        macro = macros.create_macro(session, actor=Actor.system(), data=data)
    make_rule(
        database,
        events=["message.added"],
        actions=[{"type": "reply_from_macro", "macro_id": macro.id}],
    )
    first = receive(database, text="Where is my parcel?")
    run_rule_handlers(database)
    with database.sessions() as session:
        [reply] = [m for m in list_messages(session, first.ticket_id) if m.author_type == "agent"]
        assert reply.body_text == f"On it: ticket #{first.ticket_id}."
        assert reply.details["auto_submitted"] == "auto-replied"


def test_the_editor_offers_the_shared_macros(client: Any, database: Database) -> None:
    macros = pytest.importorskip("kefu.automation.macros.service")
    schemas = pytest.importorskip("kefu.automation.macros.schemas")
    from tests.accounts.factories import PASSWORD, make_admin
    from tests.web.helpers import sign_in

    with database.unit_of_work(actor=Actor.system()) as session:
        data = schemas.MacroCreate(name="Ack", folder="Orders", bodies={"en": "On it."})
        macro = macros.create_macro(session, actor=Actor.system(), data=data)
    make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    row = client.get("/admin/rules/row/action?kind=trigger&act_type=reply_from_macro").text
    assert f'<option value="{macro.id}" >Orders / Ack</option>' in row
