"""What triggers do: escalate, notify in kefu and by email, add a note from a template; the
events they listen to (status changed, SLA breach, order events); every change audited."""

from typing import Any

from sqlalchemy import select

from kefu.accounts import service as accounts
from kefu.automation.rules.engine import run_triggers
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.events import Event, emit
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.tickets import service as tickets
from kefu.tickets.messages import list_messages
from kefu.tickets.models import Notification
from tests.accounts.factories import make_agent
from tests.automation.rule_factories import make_rule, make_team, run_rule_handlers, tags, update
from tests.tickets.factories import make_ticket


def _events(database: Database, event_type: str) -> list[dict[str, Any]]:
    with database.sessions() as session:
        rows = session.scalars(select(Event).where(Event.type == event_type).order_by(Event.id))
        return [{"actor": e.actor, **e.payload} for e in rows]


def test_escalate_raises_priority_moves_tags_emits_and_notifies(database: Database) -> None:
    # given an escalation team with a member, and a trigger on SLA breach
    team = make_team(database, "Escalations")
    lead = make_agent(database, email="lead@example.com", name="Lee Lead")
    with database.unit_of_work(actor=Actor.system()) as session:
        accounts.add_team_member(session, actor=Actor.system(), team_id=team, agent_id=lead.id)
    rule = make_rule(
        database,
        name="Breach",
        events=["sla.breached"],
        all=[{"field": "event.sla_metric", "op": "is", "value": "first_reply"}],
        actions=[{"type": "escalate", "team_id": team}],
    )
    ticket = make_ticket(database)
    # when the SLA part reports a breach
    with database.unit_of_work(actor=Actor.job("sla.check")) as session:
        emit(
            session,
            "sla.breached",
            subject_type="ticket",
            subject_id=ticket.id,
            payload={"metric": "first_reply", "policy_id": 1, "due_at": utcnow().isoformat()},
        )
    run_rule_handlers(database)
    # then
    with database.sessions() as session:
        after = tickets.get_ticket(session, ticket.id)
        assert (after.priority, after.team_id) == ("urgent", team)
        notices = session.scalars(select(Notification)).all()
        assert [(n.agent_id, n.kind, n.actor_name) for n in notices] == [
            (lead.id, "rule", "Breach")
        ]
    assert tags(database, ticket.id) == ["escalated"]
    assert _events(database, "ticket.escalated") == [
        {"actor": f"job:trigger:{rule.id}", "rule_id": rule.id, "team_id": team}
    ]


def test_notify_by_email_and_a_note_from_a_template(database: Database) -> None:
    bo = make_agent(database, email="bo@example.com", name="Bo Chen")
    make_rule(
        database,
        events=["ticket.status_changed"],
        all=[{"field": "status", "op": "changed_to", "value": "pending"}],
        actions=[
            {"type": "notify", "agent_id": bo.id, "email": True, "message": "Have a look"},
            {"type": "add_note", "body": "{{ rule.name }}: waiting on {{ ticket.subject }}"},
        ],
    )
    ticket = make_ticket(database, subject="Broken zip", text=None)
    update(database, ticket.id, priority="high")
    run_rule_handlers(database)
    assert _events(database, "rule.notice_mail") == []
    update(database, ticket.id, status="pending")
    run_rule_handlers(database)
    [mail] = _events(database, "rule.notice_mail")
    assert (mail["agent_ids"], mail["message"]) == ([bo.id], "Have a look")
    with database.sessions() as session:
        [note] = list_messages(session, ticket.id)
        assert (note.kind, note.body_text) == ("note", "VIP urgent: waiting on Broken zip")


def test_order_events_reach_the_tickets_about_the_order(database: Database) -> None:
    rule = make_rule(database, events=["order.*"], actions=[{"type": "add_tags", "tags": ["o"]}])
    ticket = make_ticket(database)
    with database.unit_of_work(actor=Actor.system()) as session:
        event = emit(
            session,
            "order.cancelled",
            subject_type="order",
            subject_id=99,
            payload={"order_id": 99, "ticket_id": ticket.id},
        )
        assert run_triggers(session, event, now=utcnow()) == [rule.id]
    assert tags(database, ticket.id) == ["o"]


def test_every_change_to_a_rule_is_audited(database: Database) -> None:
    rule = make_rule(database, name="Audited one")
    with database.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "rules")).all()
        assert [(e.action, e.entity_id) for e in entries] == [("rules.created", str(rule.id))]
