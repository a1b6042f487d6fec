"""The returns dashboard: open returns by state and age, reasons, refunds by reason and
product, for a period and a store."""

from datetime import date, timedelta
from typing import Any

from kefu.commerce.returns_report import ReturnsFilter, returns_dashboard
from kefu.commerce.schemas import OrderItemIn, RefundIn
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.commerce.logistics_factories import T0, make_order, make_return, make_store
from tests.web.helpers import sign_in

NOW = T0 + timedelta(days=20)
MANAGER = Actor(kind="agent", name="Mia", agent_id=None, role="manager")
ITEMS = [
    OrderItemIn(external_id="i1", sku="TEA-1", title="Oolong tea", unit_price_minor=5000),
    OrderItemIn(external_id="i2", sku="CUP-1", title="Tea cup", unit_price_minor=3000),
]


def _data(database: Database) -> dict[str, Any]:
    store = make_store(database)
    other = make_store(database, name="Koala Shoes", currency="AUD", time_zone="UTC")
    order = make_order(
        database,
        store=store,
        number="3001",
        items=ITEMS,
        refunds=[
            RefundIn(
                external_id="r1",
                amount_minor=5000,
                reason="damaged",
                items=[{"item_external_id": "i1", "quantity": 1, "amount_minor": 5000}],
                processed_at=T0 + timedelta(days=15),
            ),
            RefundIn(
                external_id="r2",
                amount_minor=3500,
                shipping_minor=500,
                reason="wrong_size",
                items=[{"item_external_id": "i2", "quantity": 1, "amount_minor": 3000}],
                processed_at=T0 + timedelta(days=16),
            ),
            # before the period
            RefundIn(external_id="r0", amount_minor=999, reason="damaged", processed_at=T0),
        ],
    )
    elsewhere = make_order(database, store=other, number="3002")
    make_return(
        database, order=order, rma="R1", state="requested", created_at=NOW - timedelta(days=1)
    )
    make_return(
        database, order=order, rma="R2", state="approved", created_at=NOW - timedelta(days=5)
    )
    make_return(
        database,
        order=order,
        rma="R3",
        state="received",
        reason="damaged",
        created_at=NOW - timedelta(days=12),
    )
    make_return(
        database, order=order, rma="R4", state="refunded", created_at=NOW - timedelta(days=2)
    )
    make_return(
        database,
        order=elsewhere,
        rma="R5",
        state="requested",
        reason="changed_mind",
        created_at=NOW - timedelta(days=40),
    )
    return {"store": store, "other": other}


def _spec(**values: Any) -> ReturnsFilter:
    return ReturnsFilter(start=date(2026, 10, 9), end=date(2026, 10, 21), **values)


def test_dashboard_numbers(database: Database) -> None:
    made = _data(database)
    with database.sessions() as session:
        d = returns_dashboard(session, actor=MANAGER, spec=_spec(), now=NOW)
        one = returns_dashboard(
            session, actor=MANAGER, spec=_spec(store_id=made["store"].id), now=NOW
        )
    assert d.open_total == 4
    assert d.open_by_state == {
        "requested": [1, 0, 0, 0, 1],
        "approved": [0, 1, 0, 0, 0],
        "in_transit": [0, 0, 0, 0, 0],
        "received": [0, 0, 1, 0, 0],
    }
    assert d.reasons == [("wrong_size", 3), ("damaged", 1)]  # R5 opened before the period
    assert [(a.label, a.amount_minor, a.count) for a in d.refunds_by_reason] == [
        ("damaged", 5000, 1),
        ("wrong_size", 3500, 1),
    ]
    assert [(a.label, a.amount_minor, a.count) for a in d.refunds_by_product] == [
        ("Oolong tea", 5000, 1),
        ("Tea cup", 3000, 1),
    ]
    assert d.refunded_total == {"CNY": 8500}
    assert one.open_total == 3 and one.open_by_state["requested"] == [1, 0, 0, 0, 0]


def test_dashboard_page_charts_tables_and_empty_state(client: Any, database: Database) -> None:
    _data(database)
    client.app.state.runtime.clock = lambda: NOW
    make_agent(database, email="mia@example.com", role=Role.MANAGER)
    sign_in(client, "mia@example.com", PASSWORD)
    page = client.get("/reports/returns?start=2026-10-10&end=2026-10-21")
    assert page.status_code == 200
    assert "/static/vendor/chartjs/chart.umd.min.js" in page.text
    assert 'id="returns-chart-data"' in page.text
    assert "Oolong tea" in page.text and "¥85.00" in page.text
    assert "<td>Wrong size</td>" in page.text and "wrong_size</td>" not in page.text
    quiet = client.get("/reports/returns?start=2020-01-01&end=2020-01-31")
    assert "No return was opened in this period." in quiet.text
    assert "Nothing was refunded in this period." in quiet.text
    assert client.get("/static/vendor/chartjs/chart.umd.min.js").status_code == 200


def test_agents_do_not_see_the_dashboard(client: Any, database: Database) -> None:
    make_agent(database, email="ann@example.com", role=Role.AGENT)
    sign_in(client, "ann@example.com", PASSWORD)
    assert client.get("/reports/returns").status_code == 403


def test_empty_dashboard_says_what_would_be_here(client: Any, database: Database) -> None:
    make_agent(database, email="mia@example.com", role=Role.MANAGER)
    sign_in(client, "mia@example.com", PASSWORD)
    page = client.get("/reports/returns")
    assert "No returns or refunds in this period" in page.text
    assert "chart.umd.min.js" not in page.text
