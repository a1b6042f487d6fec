"""Orders to chase (催发货): the rules, the filters, paging and the Deliveries page."""

from datetime import timedelta
from typing import Any

from kefu.commerce.schemas import TrackingEventIn, TrackingStatus
from kefu.commerce.stuck import PAGE_SIZE, StuckFilter, stuck_orders
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.commerce.logistics_factories import T0, make_order, make_store, shipment
from tests.web.helpers import sign_in

NOW = T0 + timedelta(days=10)
AGENT = Actor(kind="agent", name="Ann", agent_id=1, role="agent")


def _scan(status: TrackingStatus, days: int) -> TrackingEventIn:
    return TrackingEventIn(status=status, happened_at=T0 + timedelta(days=days))


def _fixture(database: Database) -> dict[str, Any]:
    store = make_store(database)
    other = make_store(database, name="Koala Shoes", currency="AUD", time_zone="Australia/Sydney")
    made = {
        # paid 10 days ago, nothing shipped
        "late": make_order(database, store=store, number="2001"),
        # paid 1 day ago: not late yet
        "fresh": make_order(
            database,
            store=store,
            number="2002",
            placed_at=NOW - timedelta(days=1),
            paid_at=NOW - timedelta(days=1),
        ),
        # unpaid: nothing to ship
        "unpaid": make_order(database, store=store, number="2003", payment_status="pending"),
        # shipped, last scan 6 days ago
        "silent": make_order(
            database,
            store=store,
            number="2004",
            fulfilment_status="fulfilled",
            fulfilments=[shipment(tracking_number="SF2004", events=[_scan("in_transit", 4)])],
        ),
        # shipped, scanned yesterday
        "moving": make_order(
            database,
            store=store,
            number="2005",
            fulfilment_status="fulfilled",
            fulfilments=[shipment(tracking_number="SF2005", events=[_scan("in_transit", 9)])],
        ),
        # failed attempt yesterday
        "failed": make_order(
            database,
            store=other,
            number="2006",
            fulfilment_status="fulfilled",
            fulfilments=[shipment(tracking_number="SF2006", events=[_scan("failed_attempt", 9)])],
        ),
        # delivered long ago: done
        "delivered": make_order(
            database,
            store=store,
            number="2007",
            fulfilment_status="fulfilled",
            fulfilments=[shipment(tracking_number="SF2007", events=[_scan("delivered", 2)])],
        ),
        # cancelled: nobody chases it
        "cancelled": make_order(database, store=store, number="2008", cancelled_at=T0),
    }
    made["store"], made["other"] = store, other
    return made


def _numbers(database: Database, spec: StuckFilter) -> list[tuple[str, str]]:
    with database.sessions() as session:
        page = stuck_orders(session, actor=AGENT, spec=spec, now=NOW)
        return [(row.number, row.reason) for row in page.rows]


def test_stuck_orders_by_each_rule_oldest_first(database: Database) -> None:
    _fixture(database)
    assert _numbers(database, StuckFilter()) == [
        ("2001", "not_shipped"),
        ("2004", "no_scan"),
        ("2006", "problem"),
    ]


def test_filters_by_store_reason_and_age(database: Database) -> None:
    made = _fixture(database)
    assert _numbers(database, StuckFilter(store_id=made["other"].id)) == [("2006", "problem")]
    assert _numbers(database, StuckFilter(reason="no_scan")) == [("2004", "no_scan")]
    assert _numbers(database, StuckFilter(min_age_days=7)) == [("2001", "not_shipped")]
    assert _numbers(database, StuckFilter(no_scan_days=0)) == [
        ("2001", "not_shipped"),
        ("2004", "no_scan"),
        ("2005", "no_scan"),
        ("2006", "problem"),
    ]


def test_rows_carry_customer_tracking_link_and_counts(database: Database) -> None:
    _fixture(database)
    with database.unit_of_work() as session:
        from kefu.commerce.carriers import ensure_default_carriers

        ensure_default_carriers(session)
    with database.sessions() as session:
        page = stuck_orders(session, actor=AGENT, spec=StuckFilter(), now=NOW)
    assert page.counts == {"not_shipped": 1, "no_scan": 1, "problem": 1}
    silent = page.rows[1]
    assert silent.tracking_url.endswith("/waybill-detail/SF2004")
    assert (silent.customer_name, silent.email, silent.age_days) == (
        "Emily Chen",
        "emily@example.com",
        6,
    )


def test_pages_of_fifty(database: Database) -> None:
    store = make_store(database)
    for n in range(PAGE_SIZE + 3):
        make_order(database, store=store, number=str(5000 + n), paid_at=T0 + timedelta(minutes=n))
    with database.sessions() as session:
        second = stuck_orders(session, actor=AGENT, spec=StuckFilter(), now=NOW, page=2)
    assert (second.total, second.pages, second.page) == (PAGE_SIZE + 3, 2, 2)
    assert [row.number for row in second.rows] == ["5050", "5051", "5052"]


def test_deliveries_page_for_agents(client: Any, database: Database) -> None:
    _fixture(database)
    runtime = client.app.state.runtime
    runtime.clock = lambda: NOW
    make_agent(database, email="ann@example.com", role=Role.AGENT)
    sign_in(client, "ann@example.com", PASSWORD)
    page = client.get("/deliveries?reason=problem")
    assert page.status_code == 200
    assert "#2006" in page.text and "#2001" not in page.text
    assert "Delivery attempt failed" in page.text
    assert 'href="/deliveries"' in client.get("/").text
    empty = client.get("/deliveries?age=365")
    assert "Nothing to chase" in empty.text
