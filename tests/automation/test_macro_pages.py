"""The macros editor and the composer's picker, through HTTP as a browser uses them."""

import re
from typing import Any

from kefu.automation.macros import service
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.tickets import service as tickets
from tests.accounts.factories import PASSWORD, make_agent
from tests.automation.macro_factories import make_macro
from tests.tickets.factories import make_ticket
from tests.web.helpers import csrf_token, sign_in


def _signed_in(client: Any, database: Database, role: Role) -> Any:
    agent = make_agent(database, email=f"{role.value}@example.com", name="Lin Wei", role=role)
    sign_in(client, agent.email, PASSWORD)
    return agent


def _form(**values: str) -> dict[str, str]:
    return {"name": "Delay", "folder": "Shipping", "kind": "reply", "is_active": "1", **values}


def test_a_manager_saves_a_macro_from_the_editor(client: Any, database: Database) -> None:
    # given
    _signed_in(client, database, Role.MANAGER)
    token = csrf_token(client.get("/admin/macros/new").text)
    # when
    saved = client.post(
        "/admin/macros",
        data=_form(
            csrf_token=token,
            body_en="Sorry {{ customer.first_name }}",
            body_zh_Hans="抱歉",
            set_status="pending",
            add_tags="delay, shipping",
        ),
    )
    page = client.get("/admin/macros?folder=Shipping")
    # then
    assert saved.status_code == 303
    assert "Delay" in page.text and 'aria-current="page">Shipping</a>' in page.text
    with database.unit_of_work(actor=Actor.system()) as session:
        (macro,) = service.list_macros(session, actor=Actor.system())
        assert macro.actions == [
            {"type": "set_status", "status": "pending"},
            {"type": "add_tags", "tags": ["delay", "shipping"]},
        ]
        assert macro.owner_id is None


def test_a_template_error_is_shown_and_nothing_is_saved(client: Any, database: Database) -> None:
    # given
    _signed_in(client, database, Role.MANAGER)
    token = csrf_token(client.get("/admin/macros/new").text)
    # when
    refused = client.post(
        "/admin/macros", data=_form(csrf_token=token, body_en="Hi {{ customer.name ")
    )
    # then
    assert refused.status_code == 422
    assert "Not saved:" in refused.text and "English text, line 1: unexpected end" in refused.text
    assert "Hi {{ customer.name" in refused.text  # the text is kept for fixing
    with database.unit_of_work(actor=Actor.system()) as session:
        assert service.list_macros(session, actor=Actor.system()) == []


def test_preview_fills_the_text_for_a_ticket(client: Any, database: Database) -> None:
    # given
    _signed_in(client, database, Role.MANAGER)
    ticket = make_ticket(database)
    token = csrf_token(client.get("/admin/macros/new").text)
    # when
    preview = client.post(
        "/admin/macros/preview",
        data={
            "csrf_token": token,
            "body_en": "#{{ ticket.id }} for {{ agent.first_name }}, {{ order.number }}",
            "preview_ticket": str(ticket.id),
            "preview_language": "en",
        },
        headers={"HX-Request": "true"},
    )
    # then
    assert f"#{ticket.id} for Lin, [order.number]" in preview.text
    assert "This ticket has no value for: order.number" in preview.text


def test_an_agent_edits_only_personal_macros(client: Any, database: Database) -> None:
    # given
    _signed_in(client, database, Role.AGENT)
    shared = make_macro(database, name="Shared one")
    token = csrf_token(client.get("/admin/macros/new").text)
    # when
    client.post("/admin/macros", data=_form(csrf_token=token, name="My own", body_en="Hi"))
    page = client.get("/admin/macros")
    edit_shared = client.get(f"/admin/macros/{shared.id}")
    # then
    assert re.search(r'<a href="/admin/macros/\d+">My own</a>', page.text)
    assert "Shared one" in page.text and f'href="/admin/macros/{shared.id}"' not in page.text
    assert edit_shared.status_code == 403


def test_the_composer_picks_a_macro_and_sending_applies_it(client: Any, database: Database) -> None:
    # given
    _signed_in(client, database, Role.AGENT)
    ticket = make_ticket(database)
    macro = make_macro(
        database,
        name="Tracking",
        folder="Shipping",
        en="Hi, ticket {{ ticket.id }}",
        actions=[{"type": "add_tags", "tags": ["tracking"]}],
    )
    make_macro(database, name="Refund done", en="Refunded")
    page = client.get(f"/tickets/{ticket.id}")
    # when
    found = client.get(f"/tickets/{ticket.id}/macros", params={"q": "shipping"})
    filled = client.get(f"/tickets/{ticket.id}/macros/{macro.id}/fill").json()
    sent = client.post(
        f"/tickets/{ticket.id}/messages",
        data={
            "csrf_token": csrf_token(page.text),
            "kind": "reply",
            "body": filled["text"],
            "macro_id": str(macro.id),
            "status": "pending",
        },
    )
    # then
    assert f'data-macro-picker data-ticket="{ticket.id}"' in page.text
    assert "Tracking" in found.text and "Refund done" not in found.text
    assert filled["text"] == f"Hi, ticket {ticket.id}"
    assert filled["changes"] == ["Add tags: tracking"]
    assert sent.status_code == 303
    with database.unit_of_work(actor=Actor.system()) as session:
        assert tickets.tags_of(session, [ticket.id])[ticket.id] == ["tracking"]
        assert tickets.get_ticket(session, ticket.id).status == "pending"
        assert service.get_macro(session, macro.id).usage_count == 1
