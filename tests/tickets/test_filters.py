"""TicketFilter conditions, each against tickets that just match and just miss."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from kefu.accounts.models import Team
from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.tickets.filters import FieldCondition, TicketFilter
from kefu.tickets.queries import ticket_page
from tests.tickets.read_factories import NOW, add_agent, add_customer, add_field, add_ticket


@pytest.fixture
def shop(database: Database) -> dict:
    with database.unit_of_work() as s:
        ann = add_agent(s, name="Ann Agent")
        team = Team(name="Returns")
        s.add(team)
        s.flush()
        emily = add_customer(s, name="Emily Chen", email="emily@example.com")
        lei = add_customer(s, name="Li Lei", email="lei@example.cn")
        total = add_field(s, key="order_total", field_type="number")
        delivery = add_field(s, key="delivery_date", field_type="date")
        gift = add_field(s, key="gift_wrap", field_type="checkbox")
        t = {
            "a": add_ticket(
                s,
                requester=emily,
                updated=1,
                created=2,
                assignee=ann,
                tags=["vip", "refund"],
                fields={total: "120.50", delivery: "2026-02-20", gift: "true"},
                channel="chat",
                type="question",
                store_id=1,
                due_at=NOW - timedelta(hours=1),
            ),
            "b": add_ticket(
                s,
                requester=emily,
                updated=2,
                created=30,
                tags=["vip"],
                fields={total: "99", delivery: "2026-03-05"},
                team_id=team.id,
                due_at=NOW + timedelta(hours=5),
            ),
            "c": add_ticket(
                s,
                requester=lei,
                updated=3,
                created=50,
                tags=["refund"],
                fields={total: "1000"},
                status="solved",
                type="incident",
                due_at=NOW - timedelta(hours=3),
            ),
            "d": add_ticket(s, requester=lei, updated=4, created=100, store_id=2),
        }
    return {"ann": ann, "team": team, "emily": emily, "names": {v.id: k for k, v in t.items()}}


def matching(database: Database, shop: dict, actor: Actor | None = None, **conditions) -> str:
    """Names of the matching tickets, most recently updated first, as one string."""
    with database.sessions() as s:
        page = ticket_page(
            s,
            actor=actor or shop["ann"],
            spec=TicketFilter(**conditions),
            sort="updated_desc",
            now=NOW,
        )
    return "".join(shop["names"][row.ticket.id] for row in page.items)


def test_tags_all_of_and_none_of(database: Database, shop: dict):
    assert matching(database, shop, tags_all=["VIP", "refund"]) == "a"
    assert matching(database, shop, tags_all=["vip"]) == "ab"
    assert matching(database, shop, tags_none=["refund"]) == "bd"
    assert matching(database, shop, tags_all=["vip"], tags_none=["refund"]) == "b"
    assert matching(database, shop, tags_all=["unknown"]) == ""


@pytest.mark.parametrize(
    ("key", "op", "value", "expected"),
    [
        ("order_total", "eq", "99", "b"),
        ("order_total", "eq", 120.5, "a"),
        ("order_total", "ne", "99", "acd"),
        ("order_total", "gt", "100", "ac"),
        ("order_total", "lt", "100", "b"),
        ("order_total", "set", None, "abc"),
        ("order_total", "unset", None, "d"),
        ("delivery_date", "lt", "2026-03-01", "a"),
        ("delivery_date", "gt", "2026-03-01", "b"),
        ("gift_wrap", "eq", True, "a"),
        ("gift_wrap", "ne", True, "bcd"),
    ],
)
def test_custom_field_conditions(database: Database, shop: dict, key, op, value, expected):
    condition = FieldCondition(key=key, op=op, value=value)
    assert matching(database, shop, fields=[condition]) == expected


def test_field_conditions_need_fitting_values():
    for bad in (
        {"key": "order_total", "op": "set", "value": "1"},
        {"key": "order_total", "op": "eq"},
        {"key": "order_total", "op": "lt", "value": "soon"},
        {"key": "order_total", "op": "between", "value": "1"},
    ):
        with pytest.raises(ValidationError):
            FieldCondition.model_validate(bad)


def test_age_and_time_ranges(database: Database, shop: dict):
    assert matching(database, shop, older_than_hours=24) == "bcd"
    assert matching(database, shop, older_than_hours=60) == "d"
    assert matching(database, shop, created_after=NOW - timedelta(hours=30)) == "ab"
    assert matching(database, shop, created_before=NOW - timedelta(hours=30)) == "cd"
    assert matching(database, shop, updated_after=NOW - timedelta(hours=2)) == "ab"
    assert matching(database, shop, updated_before=NOW - timedelta(hours=2)) == "cd"


def test_due_dates_and_overdue(database: Database, shop: dict):
    assert matching(database, shop, has_due_date=True) == "abc"
    assert matching(database, shop, has_due_date=False) == "d"
    # c is past due but solved: not overdue
    assert matching(database, shop, is_overdue=True) == "a"
    assert matching(database, shop, is_overdue=False) == "bcd"


def test_plain_columns(database: Database, shop: dict):
    assert matching(database, shop, statuses=["solved"]) == "c"
    assert matching(database, shop, channels=["chat"]) == "a"
    assert matching(database, shop, types=["question", "incident"]) == "ac"
    assert matching(database, shop, store_ids=[2]) == "d"
    assert matching(database, shop, team_id=shop["team"].id) == "b"
    assert matching(database, shop, requester_id=shop["emily"].id) == "ab"
    assert matching(database, shop, requester_email=" Lei@Example.cn") == "cd"
    assert matching(database, shop, requester_email="nobody@example.com") == ""
    assert matching(database, shop, priorities=["urgent"]) == ""


def test_assignee_me_none_and_id(database: Database, shop: dict):
    assert matching(database, shop, assignee="me") == "a"
    assert matching(database, shop, assignee=shop["ann"].agent_id) == "a"
    assert matching(database, shop, assignee="none") == "bcd"
    with pytest.raises(InvalidInput, match="signed-in agent"):
        matching(database, shop, actor=Actor.system(), assignee="me")


def test_text_with_nothing_searchable_is_refused(database: Database, shop: dict):
    with pytest.raises(InvalidInput, match="nothing to search for"):
        matching(database, shop, text="!!! ...")
