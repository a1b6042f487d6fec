"""The customer page: profile, identities, tickets and merge."""

from typing import Any

from kefu.customers.models import Customer
from kefu.db import Database
from kefu.permissions import Role
from tests.customers.factories import make_customer
from tests.tickets.factories import receive
from tests.tickets.test_pages import signed_in, token


def test_customer_page_shows_profile_and_tickets(client: Any, database: Database) -> None:
    result = receive(database, subject="Lost parcel", email="amy@example.com", name="Amy Pond")
    signed_in(client, database)
    page = client.get(f"/customers/{result.customer_id}")
    assert page.status_code == 200
    assert "Amy Pond" in page.text and "amy@example.com" in page.text and "Lost parcel" in page.text


def test_agent_edits_profile_and_identities(client: Any, database: Database) -> None:
    customer = make_customer(database)
    signed_in(client, database)
    csrf = token(client, f"/customers/{customer.id}")
    saved = client.post(
        f"/customers/{customer.id}",
        data={
            "csrf_token": csrf,
            "name": "Emily Chen-Wu",
            "language": "zh_Hans",
            "time_zone": "Asia/Shanghai",
            "tags": "vip, 老客户",
            "notes": "Call after 6pm",
            "is_vip": "true",
        },
    )
    assert "Profile saved." in client.get(saved.headers["location"]).text
    client.post(
        f"/customers/{customer.id}/identities",
        data={"csrf_token": csrf, "kind": "phone", "value": "+86 138 0000 1111"},
    )
    bad_zone = client.post(
        f"/customers/{customer.id}",
        data={"csrf_token": csrf, "name": "X", "time_zone": "Mars/Base"},
    )
    assert "Mars/Base" in client.get(bad_zone.headers["location"]).text
    with database.sessions() as session:
        stored = session.get(Customer, customer.id)
        assert (stored.name, stored.language, stored.time_zone, stored.is_vip) == (
            "Emily Chen-Wu",
            "zh_Hans",
            "Asia/Shanghai",
            True,
        )
        assert stored.tags == ["vip", "老客户"]
    assert "+8613800001111" in client.get(f"/customers/{customer.id}").text


def test_merge_a_duplicate_by_email(client: Any, database: Database) -> None:
    keep = make_customer(database, name="Emily", emails=("emily@example.com",))
    duplicate = receive(database, email="emily.work@example.com", name="Emily W")
    signed_in(client, database)
    response = client.post(
        f"/customers/{keep.id}/merge",
        data={
            "csrf_token": token(client, f"/customers/{keep.id}"),
            "other": "emily.work@example.com",
        },
    )
    page = client.get(response.headers["location"])
    assert "was merged into this one" in page.text
    assert "emily.work@example.com" in page.text
    with database.sessions() as session:
        assert session.get(Customer, duplicate.customer_id).merged_into_id == keep.id


def test_light_agent_sees_but_cannot_edit(client: Any, database: Database) -> None:
    customer = make_customer(database)
    signed_in(client, database, role=Role.LIGHT_AGENT)
    page = client.get(f"/customers/{customer.id}")
    assert "<fieldset disabled" in page.text
    refused = client.post(
        f"/customers/{customer.id}",
        data={"csrf_token": token(client, f"/customers/{customer.id}"), "name": "Hacked"},
    )
    assert "customers.update" in client.get(refused.headers["location"]).text
    with database.sessions() as session:
        assert session.get(Customer, customer.id).name == "Emily Chen"
