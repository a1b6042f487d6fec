"""Customers for bulk ingest: many senders looked up in one query, many created in one
multi-row insert, with the same rows, events and audit entries `identify` writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.compliance.audit import inserted_entries
from kefu.customers.models import Customer, CustomerIdentity
from kefu.kit.bulk_rows import insert_rows
from kefu.kit.clock import utcnow


@dataclass(eq=False, slots=True)
class Person:
    """A customer as bulk ingest sees one: known (`id`) or about to be created."""

    id: int | None
    name: str
    email: str | None = None  # the normalized address a new customer is created with
    audit: list[dict[str, Any]] = field(default_factory=list)


def by_emails(session: Session, values: set[str]) -> dict[str, Person]:
    """Normalized email address -> the customer it belongs to (a merge's survivor), one query
    for the addresses and one per level of merges."""
    if not values:
        return {}
    rows = session.execute(
        select(CustomerIdentity.value, Customer.id, Customer.name, Customer.merged_into_id)
        .join(Customer, Customer.id == CustomerIdentity.customer_id)
        .where(CustomerIdentity.kind == "email", CustomerIdentity.value.in_(values))
    ).all()
    people = {row.id: (row.name, row.merged_into_id) for row in rows}
    while True:
        missing = {into for _, into in people.values() if into is not None and into not in people}
        found = (
            session.execute(
                select(Customer.id, Customer.name, Customer.merged_into_id).where(
                    Customer.id.in_(missing)
                )
            ).all()
            if missing
            else []
        )
        if not found:
            break
        people.update({row.id: (row.name, row.merged_into_id) for row in found})
    result = {}
    for row in rows:
        cid = _survivor(people, row.id)
        result[row.value] = Person(cid, people[cid][0])
    return result


def _survivor(people: dict[int, tuple[str, int | None]], customer_id: int) -> int:
    """What `get_customer(follow_merge=True)` answers, on rows loaded already."""
    current, seen = customer_id, {customer_id}
    while (into := people[current][1]) is not None:
        current = into if into in people else current
        if current in seen:
            break
        seen.add(current)
    return current


def create(session: Session, new: list[Person]) -> None:
    """Insert new customers with their email identity (primary) and set their ids; each
    Person's `audit` gets the entries the ORM flush would have written for it."""
    if not new:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "name": person.name,
            "language": None,
            "time_zone": None,
            "tags": [],
            "notes": "",
            "is_vip": False,
            "merged_into_id": None,
            "created_at": now,
            "updated_at": now,
        }
        for person in new
    ]
    ids = insert_rows(session, Customer.__table__, rows, return_ids=True)
    for person, row, cid in zip(new, rows, ids, strict=True):
        person.id = row["id"] = cid
    identities: list[dict[str, Any]] = [
        {
            "customer_id": person.id,
            "kind": "email",
            "value": person.email,
            "is_primary": True,
            "details": {},
            "created_at": now,
        }
        for person in new
    ]
    ids = insert_rows(session, CustomerIdentity.__table__, identities, return_ids=True)
    for row, iid in zip(identities, ids, strict=True):
        row["id"] = iid
    audits = zip(
        inserted_entries(Customer, rows),
        inserted_entries(CustomerIdentity, identities),
        strict=True,
    )
    for person, (customer_entry, identity_entry) in zip(new, audits, strict=True):
        person.audit = [customer_entry, identity_entry]
