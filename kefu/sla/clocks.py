"""Each ticket's SLA clocks: started, paused, resumed, fulfilled and re-targeted as the
ticket's events arrive (the handlers in kefu.sla.jobs call these).

Every change takes the time the ticket event was written (`at`, the outbox row's time), never
"now", so a handler that runs late or twice comes to the same clocks; a clock ignores an event
older than the last one applied to it (`changed_at`). One time source for every event keeps
that order true even for backdated rows (an imported mail keeps its own date; its clocks start
when kefu received it)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.kit.bulk_rows import insert_rows
from kefu.kit.clock import as_utc
from kefu.sla import business_hours, policies
from kefu.sla.calendar import AlwaysOpen, Calendar
from kefu.sla.models import SlaClock, SlaPolicy
from kefu.tickets import service as tickets
from kefu.tickets import sla_due

RUNNING, PAUSED, FULFILLED, CANCELLED = "running", "paused", "fulfilled", "cancelled"
ACTIVE = (RUNNING, PAUSED)
DEFAULT_PAUSES = ("pending", "on_hold")
DONE_STATUSES = ("solved", "closed")


def clocks_of(session: Session, ticket_id: int) -> dict[str, SlaClock]:
    rows = session.scalars(select(SlaClock).where(SlaClock.ticket_id == ticket_id))
    return {clock.metric: clock for clock in rows}


class ClockBatch:
    """The clocks of a batch of tickets, read in one query and changed in memory event after
    event; `finish()` writes them in one flush and the tickets' due times in one statement
    (the sla.clocks batch handler)."""

    def __init__(self, session: Session, ticket_ids: Iterable[int]) -> None:
        self.session = session
        self.clocks: dict[int, dict[str, SlaClock]] = {ticket_id: {} for ticket_id in ticket_ids}
        if self.clocks:
            statement = select(SlaClock).where(SlaClock.ticket_id.in_(sorted(self.clocks)))
            for clock in session.scalars(statement):
                self.clocks[clock.ticket_id][clock.metric] = clock
        self.due_at: dict[int, datetime | None] = {}

    def clocks_of(self, ticket_id: int) -> dict[str, SlaClock]:
        if ticket_id not in self.clocks:
            self.clocks[ticket_id] = clocks_of(self.session, ticket_id)
        return self.clocks[ticket_id]

    def finish(self) -> None:
        insert_new_clocks(self.session)
        self.session.flush()
        sla_due.set_sla_due_many(self.session, self.due_at)


_COLUMNS = [column for column in SlaClock.__table__.columns if column.key != "id"]


def insert_new_clocks(session: Session) -> None:
    """The session's new clocks in multi-row inserts (kefu.kit.bulk_rows) instead of the
    ORM's flush, which on SQLite inserts one row a statement to learn its id. They leave the
    session (its batch is done with them): a later read loads them as stored, and should
    the transaction roll back, no object is left standing for a row that is gone."""
    new = [obj for obj in session.new if isinstance(obj, SlaClock)]
    if not new:
        return
    rows = [{column.key: _value(obj, column) for column in _COLUMNS} for obj in new]
    ids = insert_rows(session, SlaClock.__table__, rows, return_ids=True)
    for clock, clock_id in zip(new, ids, strict=True):
        session.expunge(clock)
        clock.id = clock_id


def _value(clock: SlaClock, column: Any) -> Any:
    if column.key in clock.__dict__:
        return clock.__dict__[column.key]
    default = column.default
    return default.arg if default is not None and default.is_scalar else None


class TicketClocks:
    """One ticket's clocks and what computing them needs, loaded once per event (or taken
    from the batch's)."""

    def __init__(self, session: Session, ticket_id: int, batch: ClockBatch | None = None) -> None:
        self.session = session
        self.ticket_id = ticket_id
        self.batch = batch
        self.facts = policies.ticket_facts(session, ticket_id)
        self.clocks = batch.clocks_of(ticket_id) if batch else clocks_of(session, ticket_id)
        self.status = self.facts.status  # the status the event left (a late handler knows it)
        self._business: Calendar | None = None
        self.hours_kept = False  # the change left the business hours as they were

    def calendar(self, hours: str) -> Calendar:
        if hours != "business":
            return AlwaysOpen()
        if self._business is None:
            self._business = business_hours.calendar_for(
                self.session, team_id=self.facts.team_id, store_id=self.facts.store_id
            )
        return self._business

    def pauses(self, clock: SlaClock) -> tuple[str, ...]:
        policy = self.session.get(SlaPolicy, clock.policy_id) if clock.policy_id else None
        return tuple(policy.pause_statuses) if policy is not None else DEFAULT_PAUSES

    def is_paused_status(self, clock: SlaClock) -> bool:
        return self.status in self.pauses(clock)

    # --- one clock ---------------------------------------------------------------------

    def _fresh(self, clock: SlaClock, at: datetime) -> bool:
        return as_utc(clock.changed_at) <= at

    def _schedule(self, clock: SlaClock) -> None:
        calendar = self.calendar(clock.hours)
        since = as_utc(clock.running_since)  # type: ignore[arg-type]
        left = max(0, clock.target_seconds - clock.used_seconds)
        clock.due_at = calendar.add_business_time(since, left)
        if clock.warn_seconds and clock.warned_at is None:
            clock.warn_at = calendar.add_business_time(since, max(0, left - clock.warn_seconds))
        else:
            clock.warn_at = None

    def _run(self, clock: SlaClock, at: datetime) -> None:
        clock.status = RUNNING
        clock.running_since = at
        clock.paused_at = None
        self._schedule(clock)

    def _stop(self, clock: SlaClock, at: datetime, status: str) -> None:
        if clock.status == RUNNING and clock.running_since is not None:
            since = as_utc(clock.running_since)
            clock.used_seconds += self.calendar(clock.hours).business_seconds_between(since, at)
        clock.status = status
        clock.running_since = None
        clock.warn_at = None
        if status == PAUSED:
            clock.paused_at = at
            clock.due_at = None
        elif status == FULFILLED:
            clock.fulfilled_at = at
        else:
            clock.due_at = None

    def start(self, metric: str, policy: SlaPolicy, minutes: int, at: datetime) -> None:
        """(Re)start a metric's clock from `at`; paused at once in a pausing status."""
        clock = self.clocks.get(metric)
        if clock is not None and not self._fresh(clock, at):
            return
        if clock is None:
            clock = SlaClock(ticket_id=self.ticket_id, metric=metric)
            self.session.add(clock)
            self.clocks[metric] = clock
        clock.policy_id = policy.id
        clock.hours = policy.hours
        clock.target_seconds = minutes * 60
        clock.warn_seconds = min(policy.warn_minutes * 60, minutes * 60)
        clock.started_at = at
        clock.used_seconds = 0
        clock.changed_at = at
        for name in ("warned_at", "breached_at", "fulfilled_at", "paused_at", "due_at"):
            setattr(clock, name, None)
        self._run(clock, at)
        if self.is_paused_status(clock):
            self._stop(clock, at, PAUSED)

    def fulfil(self, metric: str, at: datetime) -> None:
        clock = self.clocks.get(metric)
        if clock is not None and clock.status in ACTIVE and self._fresh(clock, at):
            self._stop(clock, at, FULFILLED)
            clock.changed_at = at

    def pause_all(self, at: datetime) -> None:
        for clock in self.clocks.values():
            if clock.status == RUNNING and self.is_paused_status(clock) and self._fresh(clock, at):
                self._stop(clock, at, PAUSED)
                clock.changed_at = at

    def resume_all(self, at: datetime) -> None:
        for clock in self.clocks.values():
            paused = clock.status == PAUSED and self._fresh(clock, at)
            if paused and not self.is_paused_status(clock):
                self._run(clock, at)
                clock.changed_at = at

    def reopen(self, at: datetime) -> None:
        """A solved ticket reopened: its resolution clock runs on from where it stopped."""
        clock = self.clocks.get("resolution")
        if clock is not None and clock.status == FULFILLED and self._fresh(clock, at):
            clock.fulfilled_at = None
            self._run(clock, at)
            clock.changed_at = at
            if self.is_paused_status(clock):
                self._stop(clock, at, PAUSED)

    def fulfil_all(self, at: datetime) -> None:
        for metric, clock in self.clocks.items():
            if clock.status in ACTIVE:
                self.fulfil(metric, at)

    # --- the policy ---------------------------------------------------------------------

    def apply_policy(self, at: datetime, *, opened_at: datetime | None = None) -> None:
        """Choose the ticket's policy and bring its clocks in line. A ticket without clocks
        starts first reply and resolution from `opened_at`; existing clocks take the new
        targets (their time used so far kept) or stop when the metric has none now."""
        policy = policies.policy_for(self.session, self.facts)
        targets = policies.targets_for(policy, self.facts.priority) if policy else {}
        if not self.clocks:
            if policy is None or self.status in DONE_STATUSES:
                return
            start = opened_at or at
            for metric in ("first_reply", "resolution"):
                if metric in targets:
                    self.start(metric, policy, targets[metric], start)
            return
        for metric, clock in self.clocks.items():
            if clock.status not in ACTIVE or not self._fresh(clock, at):
                continue
            if policy is None or metric not in targets:
                self._stop(clock, at, CANCELLED)
            else:
                self._retarget(clock, policy, targets[metric], at)
            clock.changed_at = at

    def _retarget(self, clock: SlaClock, policy: SlaPolicy, minutes: int, at: datetime) -> None:
        """New targets for a clock, its time used so far kept. A changed target may be
        warned about and breached again; the same target (a new team's hours moving the due
        time) is never reported twice."""
        warn_seconds = min(policy.warn_minutes * 60, minutes * 60)
        changed = (clock.target_seconds, clock.warn_seconds, clock.hours) != (
            minutes * 60,
            warn_seconds,
            policy.hours,
        )
        clock.policy_id = policy.id
        if not changed and (clock.hours != "business" or self.hours_kept):
            return  # the same target in the same hours: the clock's due time stands
        if clock.status != RUNNING:
            clock.target_seconds, clock.warn_seconds, clock.hours = (
                minutes * 60,
                warn_seconds,
                policy.hours,
            )
            return
        # close the time used so far in the old hours, then run on in the new ones
        self._stop(clock, at, PAUSED)
        clock.target_seconds, clock.warn_seconds, clock.hours = (
            minutes * 60,
            warn_seconds,
            policy.hours,
        )
        if changed:
            clock.breached_at = None
            clock.warned_at = None
        self._run(clock, at)
        if self.is_paused_status(clock):
            self._stop(clock, at, PAUSED)

    def save(self) -> None:
        """Flush, and store the soonest due time of the running clocks on the ticket (in a
        batch: both when the batch finishes)."""
        running = [
            as_utc(c.due_at) for c in self.clocks.values() if c.status == RUNNING and c.due_at
        ]
        due_at = min(running) if running else None
        if self.batch is not None:
            self.batch.due_at[self.ticket_id] = due_at
            return
        self.session.flush()
        sla_due.set_sla_due_at(self.session, ticket_id=self.ticket_id, due_at=due_at)


def ticket_opened(
    session: Session, *, ticket_id: int, at: datetime, batch: ClockBatch | None = None
) -> None:
    """ticket.created: the policy's first-reply and resolution clocks start at `at`."""
    clocks = TicketClocks(session, ticket_id, batch)
    clocks.apply_policy(at, opened_at=at)
    clocks.save()


def message_added(
    session: Session,
    *,
    ticket_id: int,
    at: datetime,
    kind: str,
    author_type: str,
    is_automated: bool = False,
    batch: ClockBatch | None = None,
) -> None:
    """message.added: an agent's public reply fulfils first/next reply and (re)starts the
    periodic update; a customer's message (not an auto-reply) starts the next reply."""
    if kind != "reply" or author_type not in ("agent", "customer"):
        return
    clocks = TicketClocks(session, ticket_id, batch)
    if not clocks.clocks:
        opened = tickets.get_ticket(session, ticket_id, include_deleted=True).created_at
        clocks.apply_policy(at, opened_at=as_utc(opened))
    policy = policies.policy_for(session, clocks.facts)
    targets = policies.targets_for(policy, clocks.facts.priority) if policy else {}
    if author_type == "agent":
        clocks.fulfil("first_reply", at)
        clocks.fulfil("next_reply", at)
        open_ticket = clocks.status not in DONE_STATUSES
        if policy is not None and "periodic_update" in targets and open_ticket:
            clocks.start("periodic_update", policy, targets["periodic_update"], at)
    elif not is_automated and policy is not None and "next_reply" in targets:
        waiting = [clocks.clocks.get(m) for m in ("first_reply", "next_reply")]
        answered = not any(c is not None and c.status in ACTIVE for c in waiting)
        if answered and clocks.status not in DONE_STATUSES:
            clocks.start("next_reply", policy, targets["next_reply"], at)
    clocks.save()


RETARGET_FIELDS = frozenset({"priority", "type", "channel", "store_id", "team_id"})


def ticket_changed(
    session: Session,
    *,
    ticket_id: int,
    at: datetime,
    changes: dict[str, list[object]],
    batch: ClockBatch | None = None,
) -> None:
    """ticket.updated: a pausing status pauses, leaving it resumes, solving fulfils, a reopen
    runs resolution on; a new priority, type, channel, store or team re-targets."""
    clocks = TicketClocks(session, ticket_id, batch)
    if RETARGET_FIELDS & set(changes):
        clocks.hours_kept = _hours_kept(session, clocks, changes)
        clocks.apply_policy(at, opened_at=at)
    if "status" in changes:
        before, after = changes["status"]
        clocks.status = str(after)
        if after in DONE_STATUSES:
            clocks.fulfil_all(at)
        else:
            if before in DONE_STATUSES:
                clocks.reopen(at)
            clocks.pause_all(at)
            clocks.resume_all(at)
    clocks.save()


def _hours_kept(session: Session, clocks: TicketClocks, changes: dict[str, list[object]]) -> bool:
    """No new team or store, or one whose business hours are the same schedule's (known in
    a batch handler, where teams in the same hours share one calendar)."""
    facts = clocks.facts
    team = changes["team_id"][0] if "team_id" in changes else facts.team_id
    store = changes["store_id"][0] if "store_id" in changes else facts.store_id
    if (team, store) == (facts.team_id, facts.store_id):
        return True
    if not (isinstance(team, int | None) and isinstance(store, int | None)):
        return False
    before = business_hours.calendar_for(session, team_id=team, store_id=store)
    return before is clocks.calendar("business")


def ticket_gone(session: Session, *, ticket_id: int, at: datetime) -> None:
    """A deleted or merged ticket: its clocks stop and nothing of it is due."""
    clocks = TicketClocks(session, ticket_id)
    for clock in clocks.clocks.values():
        if clock.status in ACTIVE:
            clocks._stop(clock, at, CANCELLED)
            clock.changed_at = max(as_utc(clock.changed_at), at)
    clocks.save()


def customer_changed(session: Session, *, ticket_id: int, at: datetime) -> None:
    """The requester's VIP flag or tags changed: a ticket with clocks is re-targeted (one
    without is left alone: its first reply may long be sent)."""
    clocks = TicketClocks(session, ticket_id)
    if clocks.clocks:
        clocks.apply_policy(at)
        clocks.save()
