"""Triggers run on events, in order, each in its own savepoint with its run log.

The loop guard: every event a trigger's actions cause gets a `rule_trigger_chains` row
naming the triggers that led to it (the incoming event's chain plus every trigger that
fired on it). A trigger in an event's chain never runs on that event, so a trigger never
fires on its own change, and along a chain of trigger-caused changes each trigger fires at
most once: two triggers that would undo each other stop after one round. A person's or the
customer's next change starts a new, empty chain. The acting actor is `job:trigger:<id>`,
which is what the ticket's history and the audit log show."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kefu.automation.rules.evaluate import fires
from kefu.automation.rules.facts import EventInfo, TicketFacts
from kefu.automation.rules.models import Rule, RuleRun, TriggerChain
from kefu.automation.rules.perform import Run, changes_only, perform
from kefu.automation.rules.service import CALL_EVENTS, active_rules
from kefu.commerce import links
from kefu.customers import service as customers
from kefu.errors import KefuError, NotFound
from kefu.events import EMITTED_KEY, Event
from kefu.kit.actor import Actor
from kefu.kit.batch_cache import batch_cache, cached
from kefu.kit.clock import utcnow
from kefu.tickets import loading as tickets_loading
from kefu.tickets import service as tickets
from kefu.tickets.staged import (
    drop_staged_since,
    events_to,
    staged_mark,
    updates_written_together,
    write_staged,
)

log = logging.getLogger(__name__)

HANDLED_EVENTS = (
    "ticket.created",
    "ticket.updated",
    "message.added",
    "message.analysed",
    "sla.warning",
    "sla.breached",
    "csat.received",
    "order.created",
    "order.updated",
    "order.cancelled",
    "order.refunded",
    "order.address_changed",
    "order.item_resent",
    *CALL_EVENTS,
)


def chain_of(session: Session, event_id: int) -> set[int]:
    row = session.get(TriggerChain, event_id)
    return set(row.rule_ids) if row is not None else set()


@dataclass(frozen=True, slots=True)
class Known:
    """What the run log and the loop guard say about a batch's events, read at once before
    any of them runs: their chains, and the outcome of each (rule, event, ticket) that ran
    (a redelivery). Only these events' runs write either, each once, so it stays true."""

    chains: dict[int, set[int]]
    ran: dict[tuple[int, int, int], str]

    @classmethod
    def of(cls, session: Session, event_ids: list[int]) -> Known:
        chains = session.scalars(select(TriggerChain).where(TriggerChain.event_id.in_(event_ids)))
        runs = session.execute(
            select(RuleRun.rule_id, RuleRun.event_id, RuleRun.ticket_id, RuleRun.outcome).where(
                RuleRun.event_id.in_(event_ids)
            )
        )
        return cls(
            {row.event_id: set(row.rule_ids) for row in chains},
            {(r.rule_id, r.event_id, r.ticket_id): r.outcome for r in runs},
        )


@dataclass
class Pending:
    """The run log rows and loop-guard chains a batch's runs wrote, inserted together when
    the batch ends (one statement each) instead of one by one after each run: nothing reads
    them before then (`Known` was read at the start, and the caused events are not handled
    in this transaction), and an error anywhere rolls the batch back whole as before."""

    runs: list[dict[str, Any]] = field(default_factory=list)
    chains: list[dict[str, Any]] = field(default_factory=list)
    # a rule that only changes tickets runs without a savepoint of its own (its flush and
    # SAVEPOINT cost more than the change); should one be refused, `_Refused` ends the try
    quick: bool = False

    def write(self, session: Session) -> None:
        if self.runs:
            session.execute(insert(RuleRun.__table__), self.runs)
        if self.chains:
            session.execute(insert(TriggerChain.__table__), self.chains)
        self.runs, self.chains = [], []


def _record_run(session: Session, pending: Pending | None, **row: Any) -> None:
    """A run log row: kept for the batch's end, or (one event alone) added now."""
    if pending is not None:
        pending.runs.append({**row, "created_at": utcnow()})
    else:
        session.add(RuleRun(**row))
        session.flush()


def listens_to(rule: Rule, event_type: str, payload: dict[str, Any]) -> bool:
    """Whether the trigger listens to this event ("message.added" means a customer's)."""
    wanted = set(rule.events)
    if event_type in ("message.added", "message.analysed"):
        return event_type in wanted and payload.get("author_type") == "customer"
    if event_type in wanted:
        return True
    if event_type == "ticket.updated" and "ticket.status_changed" in wanted:
        return "status" in (payload.get("changes") or {})
    if event_type == "call.ended" and "call.missed" in wanted:
        return payload.get("outcome") == "missed"
    return event_type.startswith("order.") and "order.*" in wanted


def tickets_of(session: Session, event: Event) -> list[int]:
    """The tickets an event is about: its subject, or the tickets attached to an order."""
    if event.subject_type == "ticket" and event.subject_id.isdigit():
        return [int(event.subject_id)]
    named = (event.payload or {}).get("ticket_id")
    if isinstance(named, int):
        return [named]
    if event.subject_type == "order" and event.subject_id.isdigit():
        return links.linked_ticket_ids(session, int(event.subject_id))
    return []


def trigger_actor(rule_id: int) -> Actor:
    return Actor.job(f"trigger:{rule_id}")


def _already_ran(
    session: Session, rule_id: int, event_id: int, ticket_id: int, known: Known | None
) -> str | None:
    if known is not None:
        return known.ran.get((rule_id, event_id, ticket_id))
    return session.scalar(
        select(RuleRun.outcome).where(
            RuleRun.rule_id == rule_id, RuleRun.event_id == event_id, RuleRun.ticket_id == ticket_id
        )
    )


def active_triggers(session: Session) -> list[Rule]:
    return cached(session, "rules.triggers", lambda: active_rules(session, kind="trigger"))


def run_triggers_in_order(session: Session, events: list[Event], *, now: datetime) -> None:
    """`run_triggers` on each event in order, with what they all read loaded at once: the
    active triggers (nothing more when none listens to these events), the run log and
    chains of the events, the tickets, their customers and the messages."""
    with batch_cache(session):
        triggers = active_triggers(session)
        events = [
            event
            for event in events
            if any(listens_to(rule, event.type, event.payload or {}) for rule in triggers)
        ]
        if not events:
            return
        known = Known.of(session, [event.id for event in events])
        ids = [
            int(e.subject_id)
            for e in events
            if e.subject_type == "ticket" and e.subject_id.isdigit()
        ]
        # read into the session (which holds them for the block): no query per event
        found = tickets_loading.tickets_by_ids(session, ids)
        customers.customers_by_ids(session, (t.requester_id for t in found.values()))
        tickets.tags_of(session, sorted(found))  # kept in the block for conditions and actions
        message_ids = [(e.payload or {}).get("message_id") for e in events]
        tickets_loading.messages_by_ids(session, (m for m in message_ids if isinstance(m, int)))
        emitted = session.info.setdefault(EMITTED_KEY, [])
        before = len(emitted)
        try:
            with session.begin_nested():
                pending = _run_batch(session, events, now, known, quick=True)
        except _Refused:
            del emitted[before:]
            pending = _run_batch(session, events, now, known, quick=False)
        pending.write(session)


class _Refused(Exception):
    """A trigger run without a savepoint of its own was refused: the batch runs again, each
    run in its own savepoint, so that only the refused run's changes are undone."""


def _run_batch(
    session: Session, events: list[Event], now: datetime, known: Known, *, quick: bool
) -> Pending:
    pending = Pending(quick=quick)
    with updates_written_together(session):
        for event in events:
            run_triggers(session, event, now=now, known=known, pending=pending)
    return pending


def run_triggers(
    session: Session,
    event: Event,
    *,
    now: datetime,
    known: Known | None = None,
    pending: Pending | None = None,
) -> list[int]:
    """Every active trigger listening to the event, in order, on each ticket it is about;
    returns the ids of the triggers that fired. Idempotent: a trigger that already ran on
    this event (the run log says so) is not run again. `known`: the run log and chain of a
    batch's events, read before the batch ran, and `pending` what their runs write, written
    when it ends (run_triggers_in_order)."""
    payload = event.payload or {}
    rules = [r for r in active_triggers(session) if listens_to(r, event.type, payload)]
    if not rules:
        return []
    if known is not None:
        chain = set(known.chains.get(event.id, set()))
    else:
        chain = chain_of(session, event.id)
    info = EventInfo(event.id, event.type, payload)
    fired: list[int] = []
    for ticket_id in tickets_of(session, event):
        try:
            tickets.get_ticket(session, ticket_id)
        except NotFound:
            continue
        fired += _run_on_ticket(session, rules, ticket_id, info, chain, now, known, pending)
    return fired


@dataclass
class _Caused:
    """The events a ticket's trigger runs on one event caused, for the loop guard: each
    gets a chain row naming the triggers that led to it. Events kept for the batch's end
    (kefu.tickets.staged) arrive once written, after the runs: they get theirs then."""

    pending: Pending | None
    ids: dict[int, None] = field(default_factory=dict)
    led_by: list[int] | None = None

    def add(self, event_id: int) -> None:
        if self.led_by is None:
            self.ids[event_id] = None
        else:
            assert self.pending is not None  # only a batch keeps events for its end
            self.pending.chains.append({"event_id": event_id, "rule_ids": self.led_by})

    def forget_since(self, mark: int) -> None:
        for event_id in list(self.ids)[mark:]:
            del self.ids[event_id]

    def settle(self, session: Session, led_by: list[int]) -> None:
        self.led_by = led_by
        # the caused events were written just now, by these runs: none has a chain yet, so
        # the chains are added (one INSERT for all), not merged (a SELECT each)
        rows = [{"event_id": event_id, "rule_ids": led_by} for event_id in self.ids]
        self.ids.clear()
        if not rows:
            return
        if self.pending is not None:
            self.pending.chains += rows
        else:
            session.execute(insert(TriggerChain.__table__), rows)


def _run_on_ticket(
    session: Session,
    rules: list[Rule],
    ticket_id: int,
    info: EventInfo,
    chain: set[int],
    now: datetime,
    known: Known | None,
    pending: Pending | None = None,
) -> list[int]:
    """In a batch (`pending`) the ticket changes and `rule.fired` of a rule that only
    changes tickets are kept for the batch's end (kefu.tickets.staged); any other rule's
    events are written as it runs, after what the batch kept before."""
    assert info.id is not None
    fired: list[int] = []
    caused = _Caused(pending)
    for rule in rules:
        if rule.id in chain:
            continue
        outcome = _already_ran(session, rule.id, info.id, ticket_id, known)
        if outcome is not None:
            fired += [rule.id] if outcome == "fired" else []
            continue
        if not fires(rule.conditions, TicketFacts(session, ticket_id, now, info)):
            continue
        if pending is not None and not changes_only(rule.actions):
            write_staged(session)  # the batch's kept events come before this rule's own
        emitted = session.info.setdefault(EMITTED_KEY, [])
        before, kept, known_caused = len(emitted), staged_mark(session), len(caused.ids)
        run = Run(session, rule, ticket_id, trigger_actor(rule.id), info)
        quick = pending is not None and pending.quick and changes_only(rule.actions)
        try:
            with nullcontext() if quick else session.begin_nested(), events_to(session, caused.add):
                summary = perform(run)
                _record_run(
                    session,
                    pending,
                    rule_id=rule.id,
                    ticket_id=ticket_id,
                    event_id=info.id,
                    outcome="fired",
                    summary=summary,
                    error="",
                )
        except KefuError as exc:
            if quick:
                raise _Refused from exc  # half a change may be made: the batch goes again
            del emitted[before:]
            drop_staged_since(session, kept)
            caused.forget_since(known_caused)
            log.warning(
                "trigger %s on ticket %s (event %s) failed: %s",
                rule.id,
                ticket_id,
                info.id,
                exc.message,
            )
            _record_run(
                session,
                pending,
                rule_id=rule.id,
                ticket_id=ticket_id,
                event_id=info.id,
                outcome="failed",
                summary=[],
                error=exc.message[:2000],
            )
            continue
        fired.append(rule.id)
        for event_id in emitted[before:]:
            caused.add(event_id)
    if fired:
        caused.settle(session, sorted(chain | set(fired)))
    return fired
