"""Built-in inbox views, sorts with keyset pages across ties, and the sidebar counts."""

from datetime import timedelta

import pytest

from kefu.db import Database
from kefu.errors import InvalidInput, NotFound, PermissionDenied
from kefu.permissions import Role
from kefu.tickets.filters import TicketFilter
from kefu.tickets.queries import SORTS, capped_count
from kefu.tickets.views import format_count, list_view, view_counts
from tests.tickets.read_factories import (
    NOW,
    add_agent,
    add_customer,
    add_ticket,
    all_pages,
    hours_ago,
    ids,
)


@pytest.fixture
def inbox(database: Database) -> dict:
    """Tickets in every state, each named; ann is the agent looking at her inbox."""
    with database.unit_of_work() as s:
        ann = add_agent(s, name="Ann Agent")
        bob = add_agent(s, name="Bob Agent")
        admin = add_agent(s, name="Ada Admin", role=Role.ADMIN)
        emily = add_customer(s, name="Emily Chen", email="emily@example.com")
        t = {
            "mine_open": add_ticket(s, requester=emily, assignee=ann, updated=1),
            "mine_new": add_ticket(s, requester=emily, assignee=ann, status="new", updated=5),
            "mine_pending": add_ticket(
                s, requester=emily, assignee=ann, status="pending", updated=8
            ),
            "bob_open": add_ticket(s, requester=emily, assignee=bob, updated=2),
            "nobody_new": add_ticket(s, requester=emily, status="new", updated=3),
            "nobody_pending": add_ticket(s, requester=emily, status="pending", updated=4),
            "on_hold": add_ticket(s, requester=emily, status="on_hold", updated=6),
            "urgent_open": add_ticket(s, requester=emily, priority="urgent", updated=7),
            "solved_2d": add_ticket(
                s, requester=emily, status="solved", updated=40, solved_at=hours_ago(48)
            ),
            "closed_1d": add_ticket(
                s, requester=emily, status="closed", updated=20, solved_at=hours_ago(24)
            ),
            "urgent_solved_3d": add_ticket(
                s,
                requester=emily,
                status="solved",
                priority="urgent",
                updated=70,
                solved_at=hours_ago(72),
            ),
            "solved_10d": add_ticket(
                s, requester=emily, status="solved", updated=240, solved_at=hours_ago(240)
            ),
            "deleted": add_ticket(s, requester=emily, updated=0.5, deleted_at=hours_ago(0.5)),
        }
        t["merged"] = add_ticket(s, requester=emily, updated=0.2, merged_into_id=t["bob_open"].id)
    names = {ticket.id: name for name, ticket in t.items()}
    return {"ann": ann, "bob": bob, "admin": admin, "names": names}


EXPECTED = {
    "my_open": ["mine_open", "mine_new"],
    "unassigned": ["nobody_new", "urgent_open"],
    "all_open": ["mine_open", "bob_open", "nobody_new", "mine_new", "urgent_open"],
    "pending": ["nobody_pending", "mine_pending"],
    "on_hold": ["on_hold"],
    "solved": ["closed_1d", "solved_2d", "urgent_solved_3d"],
    "urgent": ["urgent_open"],
}


@pytest.mark.parametrize("view", sorted(EXPECTED))
def test_built_in_view_lists_its_tickets_in_order(database: Database, inbox: dict, view: str):
    # when
    with database.sessions() as s:
        page = list_view(s, actor=inbox["ann"], view=view, now=NOW)
    # then
    assert [inbox["names"][i] for i in ids(page)] == EXPECTED[view]
    assert page.next_cursor is None


def test_deleted_view_is_for_admins_only(database: Database, inbox: dict):
    with database.sessions() as s:
        page = list_view(s, actor=inbox["admin"], view="deleted", now=NOW)
        assert [inbox["names"][i] for i in ids(page)] == ["deleted"]
        with pytest.raises(PermissionDenied):
            list_view(s, actor=inbox["ann"], view="deleted", now=NOW)


def test_unknown_view_is_not_found(database: Database, inbox: dict):
    with database.sessions() as s, pytest.raises(NotFound):
        list_view(s, actor=inbox["ann"], view="starred", now=NOW)


def test_rows_carry_requester_assignee_and_tags(database: Database):
    # given
    with database.unit_of_work() as s:
        ann = add_agent(s, name="Ann Agent")
        wei = add_customer(s, name="王伟", email="wei@example.cn")
        ticket = add_ticket(s, requester=wei, assignee=ann, tags=["vip", "refund"])
    # when
    with database.sessions() as s:
        (row,) = list_view(s, actor=ann, view="my_open", now=NOW).items
    # then
    assert (row.ticket.id, row.requester_name, row.requester_email) == (
        ticket.id,
        "王伟",
        "wei@example.cn",
    )
    assert (row.assignee_name, row.tags) == ("Ann Agent", ["refund", "vip"])


def _sort_key(sort: str, t: dict) -> tuple:
    rank = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
    if sort == "updated_desc":
        return (-t["updated"].timestamp(), -t["id"])
    if sort == "updated_asc":
        return (t["updated"].timestamp(), t["id"])
    if sort == "created_desc":
        return (-t["created"].timestamp(), -t["id"])
    if sort == "created_asc":
        return (t["created"].timestamp(), t["id"])
    if sort == "priority_desc":
        return (-rank[t["priority"]], -t["updated"].timestamp(), -t["id"])
    due = t["due"]  # due_asc and sla_due_asc: the same times in both columns
    return (due is None, due.timestamp() if due else 0, t["id"])


@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_pages_through_ties_without_repeats_or_gaps(database: Database, sort: str):
    # given: 11 open tickets in two statuses, sharing update times, creation times and due dates
    plan = [
        # (status, priority, updated hours ago, created hours ago, due hours from NOW)
        ("open", "normal", 2, 10, 5),
        ("new", "urgent", 2, 10, None),
        ("open", "high", 2, 12, 5),
        ("new", "normal", 1, 10, 5),
        ("open", "urgent", 3, 30, None),
        ("new", "low", 2, 12, 1),
        ("open", "normal", 1, 12, 1),
        ("open", "urgent", 2, 30, None),
        ("new", "high", 4, 10, 9),
        ("open", "normal", 4, 30, 9),
        ("new", "normal", 2, 10, 5),
    ]
    with database.unit_of_work() as s:
        ann = add_agent(s)
        emily = add_customer(s)
        made = []
        for status, priority, updated, created, due in plan:
            ticket = add_ticket(
                s,
                requester=emily,
                status=status,
                priority=priority,
                updated=updated,
                created=created,
                due_at=NOW + timedelta(hours=due) if due is not None else None,
                # the SLA sort ("breaches soonest") shares the due dates' ties and NULLs
                sla_due_at=NOW + timedelta(hours=due) if due is not None else None,
            )
            made.append(
                {
                    "id": ticket.id,
                    "updated": hours_ago(updated),
                    "created": hours_ago(created),
                    "priority": priority,
                    "due": NOW + timedelta(hours=due) if due is not None else None,
                }
            )
    expected = [t["id"] for t in sorted(made, key=lambda t: _sort_key(sort, t))]

    # when: pages of 2, 3 and 50
    def fetch(limit: int) -> list[int]:
        with database.sessions() as s:
            return all_pages(
                lambda cursor, size: list_view(
                    s, actor=ann, view="all_open", sort=sort, cursor=cursor, limit=size, now=NOW
                ),
                limit=limit,
            )

    # then
    assert fetch(2) == expected
    assert fetch(3) == expected
    assert fetch(50) == expected


def test_a_cursor_from_another_sort_or_a_mangled_one_is_refused(database: Database):
    with database.unit_of_work() as s:
        ann = add_agent(s)
        emily = add_customer(s)
        for hours in (1, 2, 3):
            add_ticket(s, requester=emily, updated=hours)
    with database.sessions() as s:
        first = list_view(s, actor=ann, view="all_open", limit=1, now=NOW)
        assert first.next_cursor is not None
        for cursor, sort in ((first.next_cursor, "created_desc"), ("bm90LWpzb24", None)):
            with pytest.raises(InvalidInput, match="page link is no longer valid"):
                list_view(s, actor=ann, view="all_open", cursor=cursor, sort=sort, now=NOW)
        with pytest.raises(InvalidInput, match="unknown sort"):
            list_view(s, actor=ann, view="all_open", sort="random", now=NOW)


def test_counts_show_every_built_in_view_the_agent_may_open(database: Database, inbox: dict):
    with database.sessions() as s:
        agent_counts = view_counts(s, actor=inbox["ann"], now=NOW)
        admin_counts = view_counts(s, actor=inbox["admin"], now=NOW)
    assert agent_counts == {
        "my_open": 2,
        "unassigned": 2,
        "all_open": 5,
        "pending": 2,
        "on_hold": 1,
        "solved": 3,
        "urgent": 1,
    }
    assert admin_counts == {**agent_counts, "my_open": 0, "deleted": 1}


def test_counts_stop_at_the_cap(database: Database):
    # given
    with database.unit_of_work() as s:
        ann = add_agent(s)
        emily = add_customer(s)
        for hours in range(1, 7):
            add_ticket(s, requester=emily, updated=hours)
    # when
    with database.sessions() as s:
        spec = TicketFilter(statuses=["open"])
        capped = capped_count(s, actor=ann, spec=spec, cap=3)
        exact = capped_count(s, actor=ann, spec=spec, cap=6)
    # then: 6 open tickets count as 4 (cap + 1), which reads "10k+" at the real cap
    assert (capped, exact) == (4, 6)
    assert (format_count(10_001), format_count(10_000), format_count(7)) == ("10k+", "10000", "7")
