"""The customers domain's read side for other domains: names, addresses and search text of a
page of customers in one query, and customer ids by address for filters."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kefu.customers.models import Customer, CustomerIdentity
from kefu.customers.service import identities_of


@dataclass(frozen=True, slots=True)
class CustomerCard:
    """What a ticket row shows of its requester."""

    id: int
    name: str
    email: str | None


def _identities(session: Session, ids: list[int]) -> list[CustomerIdentity]:
    """Every identity of these customers, primary first per customer."""
    return [i for group in identities_of(session, ids).values() for i in group]


def customer_cards(session: Session, customer_ids: Iterable[int]) -> dict[int, CustomerCard]:
    """Name and primary e-mail of each customer: two queries for a whole page."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    names = dict(
        session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids))).all()
    )
    emails: dict[int, str] = {}
    for identity in _identities(session, ids):
        if identity.kind == "email":
            emails.setdefault(identity.customer_id, identity.value)
    return {cid: CustomerCard(cid, name, emails.get(cid)) for cid, name in names.items()}


def search_texts(session: Session, customer_ids: Iterable[int]) -> dict[int, list[str]]:
    """What finds a customer's tickets in search: the name, e-mails and phone numbers."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    texts = {
        cid: [name]
        for cid, name in session.execute(
            select(Customer.id, Customer.name).where(Customer.id.in_(ids))
        )
    }
    for identity in _identities(session, ids):
        if identity.kind in ("email", "phone") and identity.customer_id in texts:
            texts[identity.customer_id].append(identity.value)
    return texts


def ids_with_identity(kind: str, value: str) -> Select[tuple[int]]:
    """A subquery of the customer owning an address (identity values are stored normalized:
    e-mails in lower case)."""
    wanted = value.strip().lower() if kind == "email" else value.strip()
    return select(CustomerIdentity.customer_id).where(
        CustomerIdentity.kind == kind, CustomerIdentity.value == wanted
    )
