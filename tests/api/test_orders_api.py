"""Orders over the API: find, read with lines and tracking, attach tickets."""

from typing import Any

from kefu.commerce.schemas import FulfilmentIn, TrackingEventIn
from kefu.db import Database
from tests.api.helpers import problem
from tests.commerce.factories import PLACED, make_order, make_store
from tests.tickets.factories import receive

Headers = dict[str, str]


def test_find_and_read_an_order_with_tracking(
    client: Any, database: Database, agent: Headers
) -> None:
    # given
    store = make_store(database)
    scan = TrackingEventIn(status="delivered", happened_at=PLACED, location="Leeds")
    shipment = FulfilmentIn(external_id="f1", carrier="UPS", tracking_number="1Z9", events=[scan])
    order = make_order(database, store=store, number="1001", shipments=[shipment])
    make_order(database, store=store, number="1002", email="bob@example.com")
    # when
    page = client.get("/api/v1/orders", headers=agent, params={"number": "#1001"})
    one = client.get(f"/api/v1/orders/{order.id}", headers=agent)
    # then
    assert page.status_code == 200 and [o["number"] for o in page.json()["items"]] == ["1001"]
    body = one.json()
    assert (body["total_minor"], body["currency"], body["status"]) == (7300, "USD", "open")
    assert [i["sku"] for i in body["items"]] == ["TEE-BLK-M", "CAP-RED"]
    assert body["fulfilments"][0]["status"] == "delivered"
    assert body["fulfilments"][0]["events"][0]["location"] == "Leeds"


def test_attach_a_ticket_by_number_then_list_by_ticket(
    client: Any, database: Database, agent: Headers
) -> None:
    store = make_store(database)
    order = make_order(database, store=store, number="1001")
    ticket = receive(database)
    url = f"/api/v1/tickets/{ticket.ticket_id}/orders"
    attached = client.post(url, headers=agent, json={"number": "1001"})
    assert attached.status_code == 201, attached.text
    assert attached.json()["ticket_ids"] == [ticket.ticket_id]
    listed = client.get("/api/v1/orders", headers=agent, params={"ticket_id": ticket.ticket_id})
    assert [o["id"] for o in listed.json()["items"]] == [order.id]
    gone = client.delete(f"{url}/{order.id}", headers=agent)
    assert gone.status_code == 204
    assert client.get(f"/api/v1/orders/{order.id}", headers=agent).json()["ticket_ids"] == []


def test_unknown_order_and_bad_input_are_refused(
    client: Any, database: Database, agent: Headers, light: Headers
) -> None:
    ticket = receive(database)
    problem(client.get("/api/v1/orders/999", headers=agent), 404, "not_found")
    url = f"/api/v1/tickets/{ticket.ticket_id}/orders"
    problem(client.post(url, headers=agent, json={"number": "9999"}), 404, "not_found")
    problem(client.post(url, headers=agent, json={"order_id": 0}), 422, "invalid_input")
    problem(client.post(url, headers=light, json={"number": "1"}), 403, "permission_denied")
