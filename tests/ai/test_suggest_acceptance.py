"""What became of the suggestions shown (kefu.ai.suggest): inserted, sent as suggested,
edited or replaced; a reload is not a second showing; the report per source and week equals
the hand count and its drill-down lists the tickets."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from kefu.ai.suggest import report, service
from kefu.ai.suggest.models import SuggestionShown
from kefu.db import Database
from kefu.errors import NotFound
from tests.ai.suggest_factories import (
    NOW,
    Desk,
    customer_writes,
    make_desk,
    make_macro,
    settle,
    shipped_order,
    solved_conversation,
)


def _world(database: Database) -> Desk:
    desk = make_desk(database)
    shipped_order(database, store_id=desk.store_id, number="1001")
    solved_conversation(
        database,
        agent=desk.agent,
        store_id=desk.store_id,
        subject="Parcel",
        question="My parcel has not arrived yet, where is it?",
        answer="Your order is on its way, it arrives in 3 days.",
    )
    make_macro(
        database,
        name="Parcel has not arrived",
        en="Sorry your parcel has not arrived yet: I am checking with the carrier.",
    )
    return desk


def _ticket(database: Database, desk: Desk, text: str) -> int:
    ticket_id = customer_writes(database, store_id=desk.store_id, subject="parcel", text=text)
    settle(database)
    return ticket_id


def _show(database: Database, desk: Desk, ticket_id: int, now=NOW) -> list[service.Suggestion]:
    with database.unit_of_work(actor=desk.agent) as session:
        return service.suggest(session, actor=desk.agent, ticket_id=ticket_id, base_url="", now=now)


def _insert(database: Database, desk: Desk, ticket_id: int, suggestion_id: int) -> None:
    with database.unit_of_work(actor=desk.agent) as session:
        service.mark_inserted(
            session, actor=desk.agent, ticket_id=ticket_id, suggestion_id=suggestion_id, now=NOW
        )


def _send(database: Database, desk: Desk, ticket_id: int, body: str, chosen: int | None) -> None:
    with database.unit_of_work(actor=desk.agent) as session:
        service.reply_sent(
            session, actor=desk.agent, ticket_id=ticket_id, body=body, suggestion_id=chosen, now=NOW
        )


def _rows(database: Database) -> dict[int, tuple[str | None, bool]]:
    with database.sessions() as session:
        rows = session.scalars(select(SuggestionShown)).all()
        return {r.id: (r.outcome, r.inserted_at is not None) for r in rows}


SEEN = "My parcel has not arrived yet, where is it?"


def test_sent_as_suggested_edited_and_replaced_are_told_apart(database: Database) -> None:
    # given three tickets, each shown the same suggestions
    desk = _world(database)
    tickets = [_ticket(database, desk, SEEN) for _ in range(3)]
    shown = [_show(database, desk, t) for t in tickets]
    assert [[x.source for x in s] for s in shown] == [["reply", "macro"]] * 3
    # when: sent unchanged, edited, and replaced by the agent's own words
    first, second, third = (s[0] for s in shown)
    for ticket_id, chosen in zip(tickets, (first, second, third), strict=True):
        _insert(database, desk, ticket_id, chosen.id)
    _send(database, desk, tickets[0], first.text, first.id)
    _send(
        database,
        desk,
        tickets[1],
        first.text.replace("3 days", "2 or 3 working days") + " Thanks for waiting!",
        second.id,
    )
    _send(database, desk, tickets[2], "Let me call you back about this tomorrow.", third.id)
    # then
    rows = _rows(database)
    assert rows[first.id] == ("as_suggested", True)
    assert rows[second.id] == ("edited", True)
    assert rows[third.id] == ("replaced", True)
    others = [s.id for group in shown for s in group[1:]]
    assert {rows[i] for i in others} == {("not_used", False)}


def test_a_reload_shows_the_same_rows_and_a_new_message_new_ones(database: Database) -> None:
    desk = _world(database)
    ticket_id = _ticket(database, desk, SEEN)
    once = _show(database, desk, ticket_id)
    again = _show(database, desk, ticket_id)
    assert [s.id for s in again] == [s.id for s in once]
    _send(database, desk, ticket_id, "On its way.", None)
    customer_writes(database, store_id=desk.store_id, ticket_id=ticket_id, text=SEEN)
    settle(database)
    later = _show(database, desk, ticket_id)
    assert len(later) == 2 and not {s.id for s in later} & {s.id for s in once}


def test_inserting_a_suggestion_of_another_ticket_is_refused(database: Database) -> None:
    desk = _world(database)
    one, two = _ticket(database, desk, SEEN), _ticket(database, desk, SEEN)
    shown = _show(database, desk, one)
    with pytest.raises(NotFound):
        _insert(database, desk, two, shown[0].id)
    assert _rows(database)[shown[0].id] == (None, False)


def test_the_report_equals_the_hand_count_and_lists_the_tickets(database: Database) -> None:
    # given: four tickets; two sent a suggestion (one of them edited), one replaced it,
    # one was never answered; one more was shown three weeks earlier
    desk = _world(database)
    tickets = [_ticket(database, desk, SEEN) for _ in range(5)]
    shown = {t: _show(database, desk, t) for t in tickets[:4]}
    early = _show(database, desk, tickets[4], now=NOW - timedelta(days=21))
    picks = {t: shown[t][0] for t in tickets[:3]}
    for t, chosen in picks.items():
        _insert(database, desk, t, chosen.id)
    _send(database, desk, tickets[0], picks[tickets[0]].text, picks[tickets[0]].id)
    _send(
        database, desk, tickets[1], picks[tickets[1]].text + " Anything else?", picks[tickets[1]].id
    )
    _send(
        database, desk, tickets[2], "Something else entirely, written by me.", picks[tickets[2]].id
    )
    # when
    with database.sessions() as session:
        found = report.suggestion_report(
            session, since=NOW - timedelta(days=30), until=NOW + timedelta(seconds=1)
        )
        listed = report.tickets_for(
            session,
            since=NOW - timedelta(days=30),
            until=NOW + timedelta(seconds=1),
            source=picks[tickets[0]].source,
            stage="sent",
        )
    # then: counted by hand from what happened above
    everything = [s for group in [*shown.values(), early] for s in group]
    for source in report.SOURCES:
        mine = [s for s in everything if s.source == source]
        inserted = [s for s in picks.values() if s.source == source]
        sent = [s for s in list(picks.values())[:2] if s.source == source]
        funnel = found.by_source[source]
        assert (funnel.shown, funnel.inserted, funnel.sent) == (len(mine), len(inserted), len(sent))
    assert found.total.shown == 10 and found.total.inserted == 3 and found.total.sent == 2
    assert found.total.as_suggested == 1
    per_week = [sum(f.shown for f in w.by_source.values()) for w in found.weeks]
    assert per_week == [0, 2, 0, 0, 8]  # weeks from NOW - 30 days; the early one at - 21
    top = picks[tickets[0]].source
    expected = sorted(t for t in tickets[:2] if picks[t].source == top)
    assert sorted(t for t, _n in listed) == expected


def test_an_internal_note_settles_nothing(database: Database) -> None:
    desk = _world(database)
    ticket_id = _ticket(database, desk, SEEN)
    shown = _show(database, desk, ticket_id)
    _insert(database, desk, ticket_id, shown[0].id)
    with database.unit_of_work(actor=desk.agent) as session:
        form = {"kind": "note", "body": shown[0].text, "suggestion_id": str(shown[0].id)}
        service.on_send(session, desk.agent, ticket_id, form)
    assert _rows(database)[shown[0].id] == (None, True)
