"""The widget's "assistant answers first" setting at /admin/chat: off by default, offered only
while the AI assistant is switched on, audited, and kept when the switch is off."""

from typing import Any

from sqlalchemy import select

from kefu.ai import switches
from kefu.channels.chat.models import ChatWidget
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.kit.actor import Actor
from tests.channels.chat.test_agent_settings import FORM, admin, only_widget

CHECKBOX = 'name="assistant_first" value="1"'
SYSTEM = Actor.system()


def test_the_setting_is_off_by_default_and_saved_when_ticked(
    client: Any, database: Database
) -> None:
    # given the new-widget form, with the assistant switched on (the default)
    token = admin(client, database)
    form = client.get("/admin/chat/new").text
    assert CHECKBOX in form and "The assistant answers first" in form
    assert f"{CHECKBOX} checked" not in form
    client.post("/admin/chat", data={**FORM, "csrf_token": token})
    widget = only_widget(database)
    assert widget.assistant_first is False
    # when the admin ticks it
    response = client.post(
        f"/admin/chat/{widget.id}", data={**FORM, "assistant_first": "1", "csrf_token": token}
    )
    # then it is stored, shown ticked, and in the audit log
    assert response.status_code == 303
    assert only_widget(database).assistant_first is True
    assert f"{CHECKBOX} checked" in client.get(f"/admin/chat/{widget.id}").text
    with database.sessions() as session:
        changes = [
            e.changes
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.entity_type == "chat_widgets")
            )
        ]
    assert any("assistant_first" in str(change) for change in changes)


def test_with_the_assistant_switched_off_it_is_not_offered_and_kept(
    client: Any, database: Database
) -> None:
    # given a widget whose assistant answers first
    token = admin(client, database)
    client.post("/admin/chat", data={**FORM, "assistant_first": "1", "csrf_token": token})
    widget = only_widget(database)
    assert widget.assistant_first is True
    # when the admin switches the assistant off and saves the widget
    with database.unit_of_work(actor=SYSTEM) as session:
        switches.save(session, actor=SYSTEM, on={"intent", "summaries"})
    page = client.get(f"/admin/chat/{widget.id}").text
    client.post(f"/admin/chat/{widget.id}", data={**FORM, "assistant_first": "1",
                                                  "csrf_token": token})  # fmt: skip
    # then the choice is not offered, but not lost either
    assert "The assistant answers first" not in page
    assert '<input type="hidden" name="assistant_first" value="1">' in page
    with database.sessions() as session:
        assert session.get(ChatWidget, widget.id).assistant_first is True  # type: ignore[union-attr]
