"""Feedback test data, made through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from kefu.accounts.service import actor_for
from kefu.automation.rules.service import create_rule
from kefu.config import secret_key
from kefu.db import Database
from kefu.demo.feedback import trigger_rule
from kefu.dispatch import dispatch_due
from kefu.feedback import csat
from kefu.feedback.models import CsatSurvey
from kefu.feedback.settings import DEFAULT_REASONS, FeedbackSettingsIn, save_settings
from kefu.feedback.tokens import make_token
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.permissions import Role
from kefu.tickets.schemas import TicketUpdate
from kefu.tickets.service import update_ticket
from tests.accounts.factories import make_agent
from tests.tickets.factories import receive

MANAGER = Actor(kind="agent", name="Mia", agent_id=None, role="manager")


def enable_csat(database: Database, **values: Any) -> None:
    data = FeedbackSettingsIn.model_validate(
        {
            "csat_enabled": True,
            "csat_delay_minutes": 60,
            "csat_channels": ["email", "web"],
            "csat_reasons": DEFAULT_REASONS,
            **values,
        }
    )
    with database.unit_of_work(actor=MANAGER) as session:
        save_settings(session, actor=MANAGER, data=data)


def agent(database: Database, email: str = "ann@example.com", **values: Any) -> Actor:
    return actor_for(make_agent(database, email=email, name="Ann Agent", **values))


def lead(database: Database) -> int:
    return make_agent(database, email="lee@example.com", name="Lee Lead", role=Role.MANAGER).id


def set_status(database: Database, *, actor: Actor, ticket_id: int, status: str) -> None:
    with database.unit_of_work(actor=actor) as session:
        update_ticket(session, actor=actor, ticket_id=ticket_id, data=TicketUpdate(status=status))


def solved_ticket(database: Database, *, actor: Actor, email: str = "emily@example.com") -> int:
    """A customer's email ticket, solved by the agent; the solve's events dispatched."""
    ticket_id = receive(database, email=email).ticket_id
    set_status(database, actor=actor, ticket_id=ticket_id, status="solved")
    dispatch_due(database)
    return ticket_id


def surveys_of(database: Database, ticket_id: int) -> list[CsatSurvey]:
    with database.sessions() as session:
        statement = select(CsatSurvey).where(CsatSurvey.ticket_id == ticket_id)
        return list(session.scalars(statement.order_by(CsatSurvey.id)))


def send_due(database: Database, *, now: datetime, settings: Any) -> dict[str, int]:
    with database.unit_of_work(actor=Actor.job("feedback.send_csat")) as session:
        counts = csat.send_due_surveys(
            session, now=now, key=secret_key(settings), base_url=settings.base_url
        )
    return dict(counts)


def later(minutes: int = 61) -> datetime:
    return utcnow() + timedelta(minutes=minutes)


def token_for(survey_id: int, settings: Any, *, days: int = 14, kind: str = "c") -> str:
    return make_token(
        kind, survey_id, expires_at=utcnow() + timedelta(days=days), key=secret_key(settings)
    )


def add_bad_rating_trigger(database: Database, manager_id: int) -> None:
    with database.unit_of_work(actor=MANAGER) as session:
        create_rule(session, actor=MANAGER, data=trigger_rule(manager_id))
