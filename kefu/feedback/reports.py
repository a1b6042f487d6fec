"""The feedback report's figures: CSAT % (good / rated) with the response rate (rated /
sent), NPS by month, and the latest comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.feedback.models import CsatRating, CsatSurvey, NpsSurvey
from kefu.feedback.nps import summary
from kefu.kit.clock import as_utc


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def csat_figures(session: Session, *, since: datetime, until: datetime) -> dict[str, Any]:
    """Over the surveys sent in [since, until): how many were rated, how many good."""
    sent = (
        session.scalar(
            select(func.count(CsatSurvey.id)).where(
                CsatSurvey.sent_at >= since, CsatSurvey.sent_at < until
            )
        )
        or 0
    )
    rows = session.execute(
        select(CsatRating.rating, func.count(CsatRating.id))
        .join(CsatSurvey, CsatSurvey.id == CsatRating.survey_id)
        .where(CsatSurvey.sent_at >= since, CsatSurvey.sent_at < until)
        .group_by(CsatRating.rating)
    ).all()
    counts = dict(rows)
    rated = sum(counts.values())
    good = counts.get("good", 0)
    return {
        "sent": sent,
        "rated": rated,
        "good": good,
        "bad": counts.get("bad", 0),
        "csat": percent(good, rated),
        "response_rate": percent(rated, sent),
    }


def nps_figures(session: Session, *, since: datetime, until: datetime) -> dict[str, Any]:
    sent = (
        session.scalar(
            select(func.count(NpsSurvey.id)).where(
                NpsSurvey.sent_at >= since, NpsSurvey.sent_at < until, NpsSurvey.status != "failed"
            )
        )
        or 0
    )
    scores = session.scalars(
        select(NpsSurvey.score).where(
            NpsSurvey.sent_at >= since, NpsSurvey.sent_at < until, NpsSurvey.score.is_not(None)
        )
    ).all()
    figures = summary(list(scores))
    return {**figures, "sent": sent, "response_rate": percent(figures["answered"], sent)}


def nps_by_month(session: Session, *, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """NPS of the answers given each month (by answer date), oldest first."""
    rows = session.execute(
        select(NpsSurvey.answered_at, NpsSurvey.score).where(
            NpsSurvey.answered_at >= since,
            NpsSurvey.answered_at < until,
            NpsSurvey.score.is_not(None),
        )
    ).all()
    months: dict[str, list[int]] = {}
    for answered_at, score in rows:
        months.setdefault(as_utc(answered_at).strftime("%Y-%m"), []).append(score)
    return [{"month": m, **summary(months[m])} for m in sorted(months)]


def recent_comments(session: Session, *, limit: int = 20) -> list[dict[str, Any]]:
    csat = session.execute(
        select(CsatRating.ticket_id, CsatRating.rating, CsatRating.comment, CsatRating.updated_at)
        .where(CsatRating.comment != "")
        .order_by(CsatRating.updated_at.desc())
        .limit(limit)
    ).all()
    nps = session.execute(
        select(NpsSurvey.score, NpsSurvey.comment, NpsSurvey.answered_at)
        .where(NpsSurvey.comment != "", NpsSurvey.answered_at.is_not(None))
        .order_by(NpsSurvey.answered_at.desc())
        .limit(limit)
    ).all()
    found = [
        {"kind": "csat", "ticket_id": t, "rating": r, "comment": c, "at": as_utc(at)}
        for t, r, c, at in csat
    ]
    found += [
        {"kind": "nps", "ticket_id": None, "rating": str(s), "comment": c, "at": as_utc(at)}
        for s, c, at in nps
    ]
    return sorted(found, key=lambda x: x["at"], reverse=True)[:limit]
