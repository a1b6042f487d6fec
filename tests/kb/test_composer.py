"""The knowledge base beside tickets: search and insert from the composer, and a new article
from a solved ticket's answer."""

from typing import Any

from kefu.accounts.service import actor_for
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.tickets import messages
from kefu.tickets import service as tickets
from kefu.tickets.schemas import MessageCreate, TicketUpdate
from tests.accounts.factories import PASSWORD, make_agent
from tests.kb.factories import make_article
from tests.tickets.factories import make_ticket
from tests.web.helpers import sign_in


def _solved_ticket(database: Database, answer: str, *, solve: bool = True) -> int:
    agent = actor_for(make_agent(database, email="ann@example.com", name="Ann"))
    ticket = make_ticket(database, subject="How do I get an invoice?")
    with database.unit_of_work(actor=agent) as session:
        messages.add_message(
            session, actor=agent, ticket_id=ticket.id, data=MessageCreate(body_text="First try.")
        )
        messages.add_message(
            session, actor=agent, ticket_id=ticket.id, data=MessageCreate(body_text=answer)
        )
        messages.add_message(
            session,
            actor=agent,
            ticket_id=ticket.id,
            data=MessageCreate(kind="note", body_text="internal only"),
        )
        if solve:
            tickets.update_ticket(
                session,
                actor=Actor.system(),
                ticket_id=ticket.id,
                data=TicketUpdate(status="solved"),
            )
    return ticket.id


def test_composer_searches_and_inserts_a_public_link(client: Any, database: Database) -> None:
    # given
    article = make_article(
        database, title="申请退款流程", body="点击**申请退款**。", language="zh-CN"
    )
    ticket_id = _solved_ticket(database, "See the article.", solve=False)
    sign_in(client, "ann@example.com", PASSWORD)
    # when
    page = client.get(f"/tickets/{ticket_id}").text
    results = client.get(f"/tickets/{ticket_id}/kb", params={"kb_q": "退款"}).text
    inserted = client.get(f"/kb/articles/{article.id}/insert").json()
    # then
    assert "data-kb-picker" in page
    assert f'data-kb-article="{article.id}"' in results
    assert 'data-kb-insert="link"' in results
    assert inserted["title"] == "申请退款流程"
    assert inserted["url"].endswith(f"/kb/articles/{article.id}")
    assert inserted["text"] == "点击申请退款。"


def test_internal_article_offers_its_text_only(client: Any, database: Database) -> None:
    make_article(database, title="Refund script", visibility="internal")
    ticket_id = _solved_ticket(database, "x", solve=False)
    sign_in(client, "ann@example.com", PASSWORD)
    results = client.get(f"/tickets/{ticket_id}/kb", params={"kb_q": "refund"}).text
    assert 'data-kb-insert="text"' in results
    assert 'data-kb-insert="link"' not in results


def test_solved_ticket_answer_becomes_a_draft(client: Any, database: Database) -> None:
    ticket_id = _solved_ticket(database, "Open Orders, then choose Invoice.")
    sign_in(client, "ann@example.com", PASSWORD)
    page = client.get(f"/tickets/{ticket_id}").text
    assert f"/kb/articles/new?from_ticket={ticket_id}" in page
    editor = client.get("/kb/articles/new", params={"from_ticket": ticket_id}).text
    assert 'value="How do I get an invoice?"' in editor
    assert "Open Orders, then choose Invoice.</textarea>" in editor
    assert "internal only" not in editor


def test_open_ticket_has_no_answer_to_keep(client: Any, database: Database) -> None:
    ticket_id = _solved_ticket(database, "x", solve=False)
    sign_in(client, "ann@example.com", PASSWORD)
    assert "from_ticket" not in client.get(f"/tickets/{ticket_id}").text
    assert client.get("/kb/articles/new", params={"from_ticket": ticket_id}).status_code == 409


def test_light_agent_gets_no_panel(client: Any, database: Database) -> None:
    ticket_id = _solved_ticket(database, "x")
    make_agent(database, email="lee@example.com", role=Role.LIGHT_AGENT)
    sign_in(client, "lee@example.com", PASSWORD)
    assert "from_ticket" not in client.get(f"/tickets/{ticket_id}").text
