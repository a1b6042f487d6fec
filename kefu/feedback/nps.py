"""NPS campaigns: pick the customers a campaign is for (recent deliveries or everyone with an
email), keep its sample, skip whoever was asked within the throttle by any campaign or opted
out of the store's mail, and record one survey each; then mail them and take the answers.

The sample is a fixed hash of (campaign, customer), so a customer left out of a campaign's
sample stays out however often it runs."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce import queries as orders
from kefu.commerce.stores import get_store
from kefu.commerce.unsubscribe import opted_out_ids
from kefu.customers import service as customers
from kefu.errors import InvalidInput, NotFound
from kefu.events import emit
from kefu.feedback.models import NpsCampaign, NpsSurvey
from kefu.feedback.settings import get_settings
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.tickets.messages import record_message
from kefu.tickets.service import open_ticket

log = logging.getLogger(__name__)
CHUNK = 500
RUN_EVERY = timedelta(days=1)


class NpsCampaignIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    store_id: int = Field(ge=1)
    audience: Literal["delivered", "all"] = "delivered"
    delivered_within_days: int = Field(default=14, ge=1, le=365)
    sample_percent: int = Field(default=100, ge=1, le=100)
    throttle_days: int = Field(default=90, ge=0, le=3650)
    language: Literal["en", "zh_Hans"] = "en"
    starts_at: datetime | None = None


def create_campaign(session: Session, *, actor: Actor, data: NpsCampaignIn) -> NpsCampaign:
    require(actor, "rules.manage")
    get_store(session, data.store_id)  # NotFound for an unknown store
    campaign = NpsCampaign(**data.model_dump(), is_active=True)
    session.add(campaign)
    session.flush()
    return campaign


def set_active(session: Session, *, actor: Actor, campaign_id: int, is_active: bool) -> None:
    require(actor, "rules.manage")
    campaign = session.get(NpsCampaign, campaign_id)
    if campaign is None:
        raise NotFound("no such campaign")
    campaign.is_active = is_active
    session.flush()


def list_campaigns(session: Session) -> list[NpsCampaign]:
    return list(session.scalars(select(NpsCampaign).order_by(NpsCampaign.id)))


def in_sample(campaign_id: int, customer_id: int, percent: int) -> bool:
    digest = hashlib.sha256(f"nps:{campaign_id}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _audience(session: Session, campaign: NpsCampaign, now: datetime) -> list[int]:
    if campaign.audience == "all":
        found = customers.customer_ids_with_email(session)
    else:
        since = now - timedelta(days=campaign.delivered_within_days)
        found = orders.delivered_customer_ids(session, store_id=campaign.store_id, since=since)
    survivors: set[int] = set()
    for chunk in _chunks(found):
        for customer in customers.customers_by_ids(session, chunk).values():
            survivors.add(customer.merged_into_id or customer.id)
    return sorted(survivors)


def _asked_since(session: Session, ids: list[int], since: datetime) -> set[int]:
    asked: set[int] = set()
    for chunk in _chunks(ids):
        statement = select(NpsSurvey.customer_id).where(
            NpsSurvey.customer_id.in_(chunk), NpsSurvey.sent_at >= since
        )
        asked.update(session.scalars(statement))
    return asked


def _emails(session: Session, ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _chunks(ids):
        for customer_id, identities in customers.identities_of(session, chunk).items():
            for identity in identities:
                if identity.kind == "email" and not (identity.details or {}).get("bounced_at"):
                    found[customer_id] = identity.value
                    break
    return found


def run_campaign(session: Session, campaign: NpsCampaign, *, now: datetime) -> Counter[str]:
    """Record a survey for each customer the campaign reaches now; counts what happened."""
    counts: Counter[str] = Counter()
    audience = _audience(session, campaign, now)
    counts["audience"] = len(audience)
    sampled = [cid for cid in audience if in_sample(campaign.id, cid, campaign.sample_percent)]
    counts["not_sampled"] = len(audience) - len(sampled)
    throttled = _asked_since(session, sampled, now - timedelta(days=campaign.throttle_days))
    opted_out: set[int] = set()
    for chunk in _chunks(sampled):
        opted_out |= opted_out_ids(session, campaign.store_id, chunk)
    emails = _emails(session, sampled)
    for customer_id in sampled:
        if customer_id in throttled:
            counts["throttled"] += 1
        elif customer_id in opted_out:
            counts["opted_out"] += 1
        elif customer_id not in emails:
            counts["no_email"] += 1
        else:
            session.add(
                NpsSurvey(
                    campaign_id=campaign.id,
                    customer_id=customer_id,
                    email=emails[customer_id],
                    status="queued",
                    sent_at=now,
                )
            )
            counts["queued"] += 1
    campaign.last_run_at = now
    session.flush()
    return counts


def run_campaigns(session: Session, *, now: datetime) -> dict[int, Counter[str]]:
    """Each active campaign that has started and did not run in the last day."""
    results: dict[int, Counter[str]] = {}
    for campaign in list_campaigns(session):
        if not campaign.is_active or (campaign.starts_at and campaign.starts_at > now):
            continue
        if campaign.last_run_at is not None and campaign.last_run_at > now - RUN_EVERY:
            continue
        results[campaign.id] = run_campaign(session, campaign, now=now)
        log.info("NPS campaign %s: %s", campaign.id, dict(results[campaign.id]))
    return results


def category(score: int) -> str:
    if score >= 9:
        return "promoter"
    return "passive" if score >= 7 else "detractor"


@dataclass(slots=True)
class NpsView:
    id: int
    store: str
    language: str
    score: int | None
    comment: str


def survey_view(session: Session, survey_id: int) -> NpsView | None:
    survey = session.get(NpsSurvey, survey_id)
    if survey is None:
        return None
    campaign = session.get_one(NpsCampaign, survey.campaign_id)
    store = get_store(session, campaign.store_id).name if campaign.store_id else ""
    return NpsView(survey.id, store, campaign.language, survey.score, survey.comment)


def record_answer(
    session: Session, *, survey_id: int, score: int | None, comment: str, now: datetime
) -> NpsSurvey:
    """The customer's score (0–10) and comment; changing it later keeps one answer. A
    detractor opens one follow-up ticket when the settings say so."""
    if score is None or not 0 <= score <= 10:
        raise InvalidInput("choose a score from 0 to 10")
    if len(comment) > 5000:
        raise InvalidInput("the comment is too long (5,000 characters at most)")
    survey = session.get(NpsSurvey, survey_id)
    if survey is None:
        raise NotFound("no such survey")
    survey.score, survey.comment, survey.answered_at = score, comment.strip(), now
    session.flush()
    if (
        category(score) == "detractor"
        and survey.follow_up_ticket_id is None
        and get_settings(session).nps_detractor_ticket
    ):
        survey.follow_up_ticket_id = _follow_up(session, survey, now=now)
    emit(
        session,
        "nps.received",
        subject_type="customer",
        subject_id=survey.customer_id,
        payload={"survey_id": survey.id, "score": score, "category": category(score)},
    )
    return survey


def _follow_up(session: Session, survey: NpsSurvey, *, now: datetime) -> int:
    campaign = session.get_one(NpsCampaign, survey.campaign_id)
    ticket = open_ticket(
        session,
        subject=f"NPS {survey.score}/10: {campaign.name}",
        requester_id=survey.customer_id,
        channel="web",
        status="open",
        store_id=campaign.store_id,
        tags=["nps-detractor"],
        created_at=now,
    )
    record_message(
        session,
        ticket,
        kind="note",
        author_type="system",
        body_text=f"NPS {survey.score}/10\n\n{survey.comment or '—'}",
        details={"nps": {"survey_id": survey.id}},
        created_at=now,
    )
    session.flush()
    return ticket.id


def summary(rows: list[Any]) -> dict[str, Any]:
    """Counts and NPS (% promoters − % detractors, rounded to one decimal) of the scores."""
    scores = [r for r in rows if r is not None]
    kinds = Counter(category(s) for s in scores)
    answered = len(scores)
    value = (
        round(100 * (kinds["promoter"] - kinds["detractor"]) / answered, 1) if answered else None
    )
    return {
        "answered": answered,
        "promoters": kinds["promoter"],
        "passives": kinds["passive"],
        "detractors": kinds["detractor"],
        "nps": value,
    }
