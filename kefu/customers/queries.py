"""The customers domain's read side for other domains: names, addresses and search text of a
page of customers in one query, and customer ids by address for filters."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from kefu.customers.identities import normalize_identity
from kefu.customers.models import Customer, CustomerIdentity
from kefu.customers.schemas import CustomerRead, IdentityRead
from kefu.customers.service import identities_of
from kefu.kit.actor import Actor
from kefu.kit.pagination import Page, newest_first
from kefu.permissions import require


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


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_customers(
    session: Session,
    *,
    actor: Actor,
    email: str | None = None,
    phone: str | None = None,
    text: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> Page[Customer]:
    """Customers (merged-away ones left out), newest first: by exact e-mail or phone (spelled
    any way: they are normalized first), or by part of a name or address."""
    require(actor, "customers.read")
    statement = select(Customer).where(Customer.merged_into_id.is_(None))
    for kind, raw in (("email", email), ("phone", phone)):
        if raw is not None:
            statement = statement.where(
                Customer.id.in_(ids_with_identity(kind, normalize_identity(kind, raw)))
            )
    if text is not None and text.strip():
        pattern = _like(text.strip())
        by_address = select(CustomerIdentity.customer_id).where(
            func.lower(CustomerIdentity.value).like(pattern, escape="\\")
        )
        statement = statement.where(
            or_(func.lower(Customer.name).like(pattern, escape="\\"), Customer.id.in_(by_address))
        )
    return newest_first(session, statement, Customer.id, before_id=before_id, limit=limit)


def customer_reads(session: Session, customers: list[Customer]) -> list[CustomerRead]:
    """Customers with their identities, primary first: one query for the identities."""
    identities = identities_of(session, [c.id for c in customers])
    return [
        CustomerRead.model_validate(c).model_copy(
            update={"identities": [IdentityRead.model_validate(i) for i in identities[c.id]]}
        )
        for c in customers
    ]
