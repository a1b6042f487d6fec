"""The minute check (warnings and breaches reported once per clock) and each clock's state as
the ticket page shows it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_timedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.events import emit
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.sla.clocks import CANCELLED, FULFILLED, PAUSED, RUNNING, clocks_of
from kefu.sla.models import SlaClock
from kefu.sla.schemas import METRICS
from kefu.tickets.sla_due import SOON_MINUTES

BATCH = 500
METRIC_LABELS = {
    "first_reply": N_("First reply"),
    "next_reply": N_("Next reply"),
    "periodic_update": N_("Periodic update"),
    "resolution": N_("Resolution"),
}


def _payload(clock: SlaClock) -> dict[str, object]:
    return {
        "metric": clock.metric,
        "policy_id": clock.policy_id,
        "due_at": as_utc(clock.due_at).isoformat() if clock.due_at else None,
    }


def _due(session: Session, column: object, reported: object, now: datetime) -> list[SlaClock]:
    statement = (
        select(SlaClock)
        .where(SlaClock.status == RUNNING, reported.is_(None), column <= now)  # type: ignore[attr-defined]
        .order_by(column, SlaClock.id)  # type: ignore[arg-type]
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(statement))


def check_clocks(session: Session, *, now: datetime, actor: Actor | None = None) -> dict[str, int]:
    """Emit `sla.warning` for each running clock whose warning time has come and
    `sla.breached` for each past its due time, once each (warned_at / breached_at record it;
    the breach keeps its due time as the moment it happened). A clock both warned and
    breached in one run reports the warning first."""
    actor = actor or Actor.job("sla.check_clocks")
    counts = {"warned": 0, "breached": 0}
    for clock in _due(session, SlaClock.warn_at, SlaClock.warned_at, now):
        clock.warned_at = now
        emit(
            session,
            "sla.warning",
            subject_type="ticket",
            subject_id=clock.ticket_id,
            payload=_payload(clock),
            actor=actor,
        )
        counts["warned"] += 1
    for clock in _due(session, SlaClock.due_at, SlaClock.breached_at, now):
        clock.breached_at = clock.due_at
        if clock.warned_at is None and clock.warn_seconds:
            clock.warned_at = now  # the warning time passed while paused or in the same run
        emit(
            session,
            "sla.breached",
            subject_type="ticket",
            subject_id=clock.ticket_id,
            payload=_payload(clock),
            actor=actor,
        )
        counts["breached"] += 1
    session.flush()
    return counts


@dataclass(frozen=True, slots=True)
class ClockState:
    """One clock for display: `state` is running | soon | breached | paused | met | missed
    | stopped, and `text` the sentence ("First reply due in 23 minutes")."""

    metric: str
    label: str
    state: str
    text: str
    due_at: datetime | None


def human_duration(delta: timedelta) -> str:
    """ "23 minutes", "2 hours" in the reader's language."""
    seconds = abs(delta.total_seconds())
    return format_timedelta(
        timedelta(seconds=max(60, seconds)),
        threshold=1.5,
        granularity="minute",
        locale=i18n.current_language.get(),
    )


def _state(clock: SlaClock, now: datetime, soon: timedelta) -> ClockState:
    label = _(METRIC_LABELS[clock.metric])
    due = as_utc(clock.due_at) if clock.due_at else None
    if clock.status == RUNNING and due is not None:
        if due <= now:
            text = _(
                "%(metric)s breached %(time)s ago", metric=label, time=human_duration(now - due)
            )
            return ClockState(clock.metric, label, "breached", text, due)
        text = _("%(metric)s due in %(time)s", metric=label, time=human_duration(due - now))
        state = "soon" if due - now <= soon else "running"
        return ClockState(clock.metric, label, state, text, due)
    if clock.status == PAUSED:
        left = timedelta(seconds=max(0, clock.target_seconds - clock.used_seconds))
        text = _("%(metric)s paused, %(time)s left", metric=label, time=human_duration(left))
        return ClockState(clock.metric, label, "paused", text, None)
    if clock.status == FULFILLED:
        if clock.breached_at is not None:
            return ClockState(
                clock.metric, label, "missed", _("%(metric)s missed", metric=label), due
            )
        return ClockState(clock.metric, label, "met", _("%(metric)s met", metric=label), due)
    assert clock.status == CANCELLED
    return ClockState(clock.metric, label, "stopped", _("%(metric)s stopped", metric=label), None)


def clock_states(
    session: Session, *, ticket_id: int, now: datetime, soon_minutes: int = SOON_MINUTES
) -> list[ClockState]:
    """The ticket's clocks in metric order, cancelled ones left out."""
    clocks = clocks_of(session, ticket_id)
    soon = timedelta(minutes=soon_minutes)
    return [
        _state(clocks[metric], now, soon)
        for metric in METRICS
        if metric in clocks and clocks[metric].status != CANCELLED
    ]
