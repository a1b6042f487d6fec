"""What the trends page shows, computed here (the template only displays): the snapshot's
topics with their change and a sparkline's points, the chart's data, the history of runs,
and one topic's tickets for its drill-down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.ai.trends_models import TrendSnapshot, TrendTopic
from kefu.errors import NotFound
from kefu.kit.i18n import N_, gettext
from kefu.tickets import queries as ticket_queries
from kefu.tickets.schemas import STATUS_LABELS

HISTORY = 30
CHART_TOPICS = 10
SPARK_WIDTH, SPARK_HEIGHT = 84, 20
CHANGES = {"new": N_("New"), "rising": N_("Rising"), "falling": N_("Falling"),
           "steady": N_("Steady")}  # fmt: skip


@dataclass(frozen=True, slots=True)
class TopicLine:
    id: int
    name: str
    terms: list[str]
    current: int
    previous: int
    change: str
    change_label: str
    ratio: float | None
    spark: str  # SVG polyline points
    examples: list[dict[str, Any]]


def spark_points(daily: list[int]) -> str:
    if not daily:
        return ""
    top = max(daily) or 1
    step = SPARK_WIDTH / max(1, len(daily) - 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 1 - (value / top) * (SPARK_HEIGHT - 2):.1f}"
        for i, value in enumerate(daily)
    )


def topic_name(terms: list[str]) -> str:
    return " · ".join(terms) if terms else gettext(N_("(no distinctive terms)"))


def _line(topic: TrendTopic) -> TopicLine:
    return TopicLine(
        id=topic.id, name=topic_name(list(topic.terms)), terms=list(topic.terms),
        current=topic.current_count, previous=topic.previous_count, change=topic.change,
        change_label=gettext(CHANGES.get(topic.change, topic.change)), ratio=topic.ratio,
        spark=spark_points(list(topic.daily)), examples=list(topic.examples),
    )  # fmt: skip


def page_context(session: Session, snapshot_id: int | None) -> dict[str, Any]:
    history = list(session.scalars(
        select(TrendSnapshot).order_by(TrendSnapshot.id.desc()).limit(HISTORY)))  # fmt: skip
    if snapshot_id is None:
        snapshot = history[0] if history else None
    else:
        snapshot = session.get(TrendSnapshot, snapshot_id)
        if snapshot is None:
            raise NotFound(gettext(N_("No such trends snapshot.")))
    topics: list[TopicLine] = []
    if snapshot is not None:
        topics = [_line(t) for t in session.scalars(
            select(TrendTopic).where(TrendTopic.snapshot_id == snapshot.id)
            .order_by(TrendTopic.position))]  # fmt: skip
    shown = sorted(topics, key=lambda t: -(t.current + t.previous))[:CHART_TOPICS]
    chart = {
        "labels": [t.name[:40] for t in shown],
        "current": [t.current for t in shown],
        "previous": [t.previous for t in shown],
        "current_label": gettext(N_("This period")),
        "previous_label": gettext(N_("Previous period")),
    }
    return {"snapshot": snapshot, "topics": topics, "history": history, "chart": chart}


def topic_context(session: Session, topic_id: int) -> dict[str, Any]:
    topic = session.get(TrendTopic, topic_id)
    if topic is None:
        raise NotFound(gettext(N_("No such topic.")))
    snapshot = session.get(TrendSnapshot, topic.snapshot_id)
    rows = ticket_queries.ticket_rows(session, list(topic.ticket_ids))
    return {"topic": _line(topic), "snapshot": snapshot, "rows": rows,
            "total": topic.current_count + topic.previous_count,
            "status_labels": {k.value: gettext(v) for k, v in STATUS_LABELS.items()}}  # fmt: skip
