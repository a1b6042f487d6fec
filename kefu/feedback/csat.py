"""CSAT surveys: scheduled when a ticket is solved, sent by email through the ticket's
mailbox once the delay has passed and the ticket is still solved (once per solve), and the
customer's rating recorded (one rating per survey, changed in place, audited).

A survey mail is a public reply on the ticket marked `automated`, so the email channel sends
it like any agent reply (same mailbox, same thread), SLA clocks and rules ignore it."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.customers import service as customers
from kefu.errors import InvalidInput, NotFound
from kefu.events import emit
from kefu.feedback import mail_text
from kefu.feedback.models import CsatRating, CsatSurvey
from kefu.feedback.settings import get_settings
from kefu.feedback.tokens import make_token
from kefu.kit.clock import as_utc
from kefu.tickets import service as tickets
from kefu.tickets.messages import list_messages, record_message

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=7)  # a survey this late is not sent (the job was off for a week)
RATINGS = ("good", "bad")
GOOD_SCORE = 4  # on the 1–5 scale, 4 and 5 count as good


def schedule_survey(session: Session, *, ticket_id: int) -> CsatSurvey | None:
    """The survey for the ticket's current solve (idempotent); None when surveys are off,
    the ticket is not solved or its channel is not surveyed."""
    settings = get_settings(session)
    if not settings.csat_enabled:
        return None
    try:
        ticket = tickets.get_ticket(session, ticket_id)
    except NotFound:
        return None
    if ticket.status != "solved" or ticket.solved_at is None:
        return None
    if ticket.channel not in (settings.csat_channels or []):
        return None
    solved_at = as_utc(ticket.solved_at)
    existing = session.scalar(
        select(CsatSurvey).where(
            CsatSurvey.ticket_id == ticket_id, CsatSurvey.solved_at == solved_at
        )
    )
    if existing is not None:
        return existing
    survey = CsatSurvey(
        ticket_id=ticket_id,
        solved_at=solved_at,
        scale=settings.csat_scale,
        due_at=solved_at + timedelta(minutes=settings.csat_delay_minutes),
    )
    try:
        with session.begin_nested():
            session.add(survey)
            session.flush()
    except IntegrityError:
        return None  # another handler run scheduled it first
    return survey


def _email_of(session: Session, customer_id: int) -> str:
    for identity in customers.identities_of(session, [customer_id])[customer_id]:
        if identity.kind == "email" and not (identity.details or {}).get("bounced_at"):
            return identity.value
    return ""


def _skip_reason(session: Session, survey: CsatSurvey) -> str | None:
    try:
        ticket = tickets.get_ticket(session, survey.ticket_id, include_deleted=True)
    except NotFound:
        return "deleted"
    if ticket.deleted_at is not None:
        return "deleted"
    if ticket.merged_into_id is not None:
        return "merged"
    if ticket.status != "solved" or ticket.solved_at is None:
        return "reopened"
    if as_utc(ticket.solved_at) != as_utc(survey.solved_at):
        return "solved_again"  # a later solve has its own survey
    if session.scalar(select(CsatRating.id).where(CsatRating.survey_id == survey.id)):
        return "already_rated"  # rated elsewhere (the end of a chat) before the mail left
    if "follow-up" in tickets.tags_of(session, [ticket.id])[ticket.id]:
        return "automated"
    if not any(m.author_type == "customer" for m in list_messages(session, ticket.id)):
        return "automated"  # kefu wrote first and the customer never answered
    if not _email_of(session, ticket.requester_id):
        return "no_email"
    return None


def survey_links(survey: CsatSurvey, *, base_url: str, key: str, days: int) -> dict[str, str]:
    expires = as_utc(survey.sent_at or survey.due_at) + timedelta(days=days)
    token = make_token("c", survey.id, expires_at=expires, key=key)
    url = f"{base_url.rstrip('/')}/feedback/csat/{token}"
    choices = RATINGS if survey.scale == "good_bad" else ("5", "4", "3", "2", "1")
    param = "rating" if survey.scale == "good_bad" else "score"
    return {choice: f"{url}?{param}={choice}" for choice in choices}


def send_survey(
    session: Session, survey: CsatSurvey, *, now: datetime, key: str, base_url: str
) -> str:
    """Send one due survey, or mark why it is not sent; returns its new status."""
    reason = _skip_reason(session, survey)
    if reason is not None:
        survey.status = "cancelled" if reason in ("reopened", "solved_again") else "skipped"
        survey.skip_reason = reason
        session.flush()
        return survey.status
    settings = get_settings(session)
    ticket = tickets.get_ticket(session, survey.ticket_id)
    customer = customers.get_customer(session, ticket.requester_id)
    survey.sent_at = now
    links = survey_links(survey, base_url=base_url, key=key, days=settings.link_days)
    body = mail_text.csat_body(
        language=customer.language or "en",
        name=customer.name or "",
        subject=ticket.subject,
        links=links,
        days=settings.link_days,
    )
    message = record_message(
        session,
        ticket,
        kind="reply",
        author_type="agent",
        body_text=body,
        channel="email",
        details={"automated": True, "csat": {"survey_id": survey.id}},
        created_at=now,
    )
    survey.status = "sent"
    survey.message_id = message.id
    session.flush()
    return "sent"


def send_due_surveys(session: Session, *, now: datetime, key: str, base_url: str) -> Counter[str]:
    """Every scheduled survey whose delay has passed (those older than LOOKBACK expire)."""
    counts: Counter[str] = Counter()
    due = session.scalars(
        select(CsatSurvey)
        .where(CsatSurvey.status == "scheduled", CsatSurvey.due_at <= now)
        .order_by(CsatSurvey.due_at, CsatSurvey.id)
        .limit(500)
    ).all()
    for survey in due:
        if as_utc(survey.due_at) < now - LOOKBACK:
            survey.status, survey.skip_reason = "skipped", "too_late"
            counts["too_late"] += 1
            continue
        counts[send_survey(session, survey, now=now, key=key, base_url=base_url)] += 1
    session.flush()
    return counts


@dataclass(slots=True)
class SurveyView:
    """What the public survey page shows: the ticket's subject, the scale, the reasons and
    the customer's current answer (they may change it)."""

    id: int
    subject: str
    scale: str
    language: str
    reasons: list[dict[str, str]]
    rating: str | None
    score: int | None
    comment: str
    reason: str | None


def survey_view(session: Session, survey_id: int) -> SurveyView:
    survey = session.get(CsatSurvey, survey_id)
    if survey is None:
        raise NotFound("no such survey")
    ticket = tickets.get_ticket(session, survey.ticket_id, include_deleted=True)
    customer = customers.get_customer(session, ticket.requester_id)
    answer = session.scalar(select(CsatRating).where(CsatRating.survey_id == survey.id))
    return SurveyView(
        id=survey.id,
        subject=ticket.subject,
        scale=survey.scale,
        language=customer.language or "en",
        reasons=list(get_settings(session).csat_reasons or []),
        rating=answer.rating if answer else None,
        score=answer.score if answer else None,
        comment=answer.comment if answer else "",
        reason=answer.reason if answer else None,
    )


def _checked(
    session: Session, rating: str | None, score: int | None, reason: str | None
) -> tuple[str, int | None, str | None]:
    if score is not None:
        if not 1 <= score <= 5:
            raise InvalidInput("the score is 1 to 5")
        rating = "good" if score >= GOOD_SCORE else "bad"
    if rating not in RATINGS:
        raise InvalidInput("choose good or bad")
    keys = {r.get("key") for r in get_settings(session).csat_reasons or []}
    if reason and reason not in keys:
        raise InvalidInput("unknown reason")
    return rating, score, reason or None


def record_rating(
    session: Session,
    *,
    now: datetime,
    survey_id: int | None = None,
    ticket_id: int | None = None,
    rating: str | None = None,
    score: int | None = None,
    comment: str = "",
    reason: str | None = None,
    channel: str = "email",
) -> CsatRating:
    """Record (or change) the customer's rating and emit `csat.received`. Either the survey
    the link named, or — for a rating asked elsewhere, like the end of a chat — the ticket,
    whose current solve (or the moment) gets a survey of its own. One rating per survey."""
    rating, score, reason = _checked(session, rating, score, reason)
    if len(comment) > 5000:
        raise InvalidInput("the comment is too long (5,000 characters at most)")
    survey = session.get(CsatSurvey, survey_id) if survey_id is not None else None
    if survey is None and survey_id is not None:
        raise NotFound("no such survey")
    if survey is None:
        if ticket_id is None:
            raise InvalidInput("name the survey or the ticket")
        survey = _survey_for_ticket(session, ticket_id=ticket_id, channel=channel, now=now)
    answer = session.scalar(select(CsatRating).where(CsatRating.survey_id == survey.id))
    changed = answer is not None
    if answer is None:
        answer = CsatRating(survey_id=survey.id, ticket_id=survey.ticket_id, created_at=now)
        session.add(answer)
        answer.changes = 0
    else:
        answer.changes = (answer.changes or 0) + 1
    answer.rating, answer.score, answer.reason = rating, score, reason
    answer.comment = comment.strip()
    answer.updated_at = now
    session.flush()
    emit(
        session,
        "csat.received",
        subject_type="ticket",
        subject_id=survey.ticket_id,
        payload={
            "rating": rating,
            "score": score,
            "comment": answer.comment,
            "reason": reason,
            "survey_id": survey.id,
            "changed": changed,
        },
    )
    return answer


def _survey_for_ticket(
    session: Session, *, ticket_id: int, channel: str, now: datetime
) -> CsatSurvey:
    ticket = tickets.get_ticket(session, ticket_id)
    moment = as_utc(ticket.solved_at) if ticket.solved_at else now
    found = session.scalar(
        select(CsatSurvey).where(CsatSurvey.ticket_id == ticket_id, CsatSurvey.solved_at == moment)
    )
    if found is not None:
        return found
    survey = CsatSurvey(
        ticket_id=ticket_id,
        solved_at=moment,
        channel=channel,
        scale=get_settings(session).csat_scale,
        status="sent",
        due_at=now,
        sent_at=now,
    )
    session.add(survey)
    session.flush()
    return survey


def ticket_ratings(session: Session, ticket_id: int) -> list[CsatRating]:
    """The ticket's ratings, newest first (one per solve that was rated)."""
    return list(
        session.scalars(
            select(CsatRating)
            .where(CsatRating.ticket_id == ticket_id)
            .order_by(CsatRating.created_at.desc(), CsatRating.id.desc())
        )
    )
