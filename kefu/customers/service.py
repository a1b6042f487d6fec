"""Customers: profiles, identities, identification of senders, merge."""

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kefu.customers.identities import normalize_identity
from kefu.customers.models import Customer, CustomerIdentity
from kefu.customers.schemas import CustomerCreate, CustomerUpdate, IdentityIn
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.tags import normalize_tags
from kefu.permissions import require

MergeHook = Callable[[Session, int, int], None]
_merge_hooks: list[MergeHook] = []


def on_customer_merge(hook: MergeHook) -> MergeHook:
    """Register `hook(session, source_id, target_id)`: a domain holding customer ids (tickets,
    orders) moves them inside the merge's own transaction, so a merge is never half done."""
    if hook not in _merge_hooks:
        _merge_hooks.append(hook)
    return hook


def get_customer(session: Session, customer_id: int, *, follow_merge: bool = False) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    seen = {customer.id}
    while follow_merge and customer.merged_into_id is not None:
        customer = session.get(Customer, customer.merged_into_id) or customer
        if customer.id in seen:
            break
        seen.add(customer.id)
    return customer


def read_customer(session: Session, *, actor: Actor, customer_id: int) -> Customer:
    require(actor, "customers.read")
    return get_customer(session, customer_id)


def identities_of(
    session: Session, customer_ids: Iterable[int]
) -> dict[int, list[CustomerIdentity]]:
    """Identities per customer, primary first: one query for a whole page of customers."""
    ids = list(set(customer_ids))
    result: dict[int, list[CustomerIdentity]] = {cid: [] for cid in ids}
    if not ids:
        return result
    rows = session.scalars(
        select(CustomerIdentity)
        .where(CustomerIdentity.customer_id.in_(ids))
        .order_by(CustomerIdentity.is_primary.desc(), CustomerIdentity.id)
    )
    for identity in rows:
        result[identity.customer_id].append(identity)
    return result


def customers_by_ids(session: Session, customer_ids: Iterable[int]) -> dict[int, Customer]:
    ids = list(set(customer_ids))
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}


def customer_ids_with_email(session: Session) -> list[int]:
    """Every customer (merge survivors only) with an email address that has not bounced."""
    statement = (
        select(CustomerIdentity.customer_id, CustomerIdentity.details)
        .join(Customer, Customer.id == CustomerIdentity.customer_id)
        .where(CustomerIdentity.kind == "email", Customer.merged_into_id.is_(None))
    )
    return sorted(
        {
            cid
            for cid, details in session.execute(statement)
            if not (details or {}).get("bounced_at")
        }
    )


def find_by_identity(session: Session, kind: str, raw_value: str) -> Customer | None:
    """The customer an address/number/visitor id belongs to (the merge survivor)."""
    value = normalize_identity(kind, raw_value)
    customer = session.scalar(
        select(Customer)
        .join(CustomerIdentity, CustomerIdentity.customer_id == Customer.id)
        .where(CustomerIdentity.kind == kind, CustomerIdentity.value == value)
    )
    if customer is None or customer.merged_into_id is None:
        return customer
    return get_customer(session, customer.id, follow_merge=True)


def flag_bounced(session: Session, *, email: str, reason: str, at: datetime) -> bool:
    """Mark an address that mail bounced from (agents see it before replying); False when
    no customer has that address."""
    value = normalize_identity("email", email)
    identity = session.scalar(
        select(CustomerIdentity).where(
            CustomerIdentity.kind == "email", CustomerIdentity.value == value
        )
    )
    if identity is None:
        return False
    identity.details = {**(identity.details or {}), "bounced_at": at.isoformat(), "bounce": reason}
    session.flush()
    return True


def _attach_identity(session: Session, customer: Customer, kind: str, raw: str) -> CustomerIdentity:
    value = normalize_identity(kind, raw)
    owner = session.scalar(
        select(CustomerIdentity).where(
            CustomerIdentity.kind == kind, CustomerIdentity.value == value
        )
    )
    if owner is not None:
        if owner.customer_id == customer.id:
            return owner
        raise Conflict(f"{value} already belongs to customer {owner.customer_id}")
    has_primary = session.scalar(
        select(CustomerIdentity.id).where(
            CustomerIdentity.customer_id == customer.id,
            CustomerIdentity.kind == kind,
            CustomerIdentity.is_primary.is_(True),
        )
    )
    identity = CustomerIdentity(
        customer_id=customer.id, kind=kind, value=value, is_primary=has_primary is None
    )
    session.add(identity)
    session.flush()
    return identity


def _insert_customer(session: Session, data: CustomerCreate) -> Customer:
    customer = Customer(
        name=data.name.strip(),
        language=data.language,
        time_zone=data.time_zone,
        tags=normalize_tags(data.tags),
        notes=data.notes,
        is_vip=data.is_vip,
    )
    session.add(customer)
    session.flush()
    pairs = [("email", str(e)) for e in data.emails] + [("phone", p) for p in data.phones]
    pairs += [("store", ref) for ref in data.store_refs]
    for kind, value in pairs:
        _attach_identity(session, customer, kind, value)
    emit(session, "customer.created", subject_type="customer", subject_id=customer.id)
    return customer


def create_customer(session: Session, *, actor: Actor, data: CustomerCreate) -> Customer:
    require(actor, "customers.update")
    return _insert_customer(session, data)


def identify(
    session: Session,
    *,
    email: str | None = None,
    phone: str | None = None,
    chat_visitor: str | None = None,
    store_ref: str | None = None,
    name: str | None = None,
) -> Customer:
    """The customer behind an inbound message, created on first contact.

    Identities are tried in order of trust (store id, email, phone, chat visitor); the ones
    the customer did not have yet are added, so the next message on any channel finds them."""
    given = [("store", store_ref), ("email", email), ("phone", phone), ("chat", chat_visitor)]
    given = [(kind, value) for kind, value in given if value]
    if not given:
        raise InvalidInput("an inbound message needs a sender: email, phone, chat or store id")
    found = {(kind, value): find_by_identity(session, kind, value) for kind, value in given}
    customer = next((c for c in found.values() if c is not None), None)
    if customer is None:
        # Nobody owns any of these (just looked up) and a new customer has no identities: each
        # becomes the first, primary one of its kind without asking the database again.
        customer = _insert_customer(session, CustomerCreate(name=(name or "").strip()[:200]))
        session.add_all(
            CustomerIdentity(
                customer_id=customer.id,
                kind=kind,
                value=normalize_identity(kind, value),
                is_primary=True,
            )
            for kind, value in given
        )
        session.flush()
        return customer
    if name and not customer.name:
        customer.name = name.strip()[:200]
    for (kind, value), owner in found.items():
        if owner is None:
            _attach_identity(session, customer, kind, value)
    return customer


def update_customer(
    session: Session, *, actor: Actor, customer_id: int, data: CustomerUpdate
) -> Customer:
    require(actor, "customers.update")
    customer = get_customer(session, customer_id)
    changes: dict[str, list[object]] = {}
    values = data.model_dump(exclude_unset=True)
    if "tags" in values and values["tags"] is not None:
        values["tags"] = normalize_tags(values["tags"])
    for field, value in values.items():
        if value is None and field in ("name", "tags", "notes", "is_vip"):
            continue
        before = getattr(customer, field)
        if before != value:
            setattr(customer, field, value)
            changes[field] = [before, value]
    if changes:
        customer.updated_at = utcnow()
        emit(
            session,
            "customer.updated",
            subject_type="customer",
            subject_id=customer.id,
            payload={"changes": {k: v for k, v in changes.items() if k != "notes"}},
        )
    return customer


def add_identity(
    session: Session, *, actor: Actor, customer_id: int, data: IdentityIn
) -> CustomerIdentity:
    require(actor, "customers.update")
    customer = get_customer(session, customer_id)
    identity = _attach_identity(session, customer, data.kind, data.value)
    emit(
        session,
        "customer.updated",
        subject_type="customer",
        subject_id=customer.id,
        payload={"changes": {"identities": [None, f"{identity.kind}:{identity.value}"]}},
    )
    return identity


def remove_identity(session: Session, *, actor: Actor, customer_id: int, identity_id: int) -> None:
    require(actor, "customers.update")
    identity = session.get(CustomerIdentity, identity_id)
    if identity is None or identity.customer_id != customer_id:
        raise NotFound(f"identity {identity_id} not found on customer {customer_id}")
    removed = f"{identity.kind}:{identity.value}"
    session.delete(identity)
    session.flush()
    emit(
        session,
        "customer.updated",
        subject_type="customer",
        subject_id=customer_id,
        payload={"changes": {"identities": [removed, None]}},
    )


def merge_customers(session: Session, *, actor: Actor, source_id: int, target_id: int) -> Customer:
    """Fold `source` into `target`: identities, tags and notes move here; tickets, orders and
    whatever else names the customer move in the registered merge hooks, same transaction."""
    require(actor, "customers.update")
    if source_id == target_id:
        raise Conflict("a customer cannot be merged into itself")
    source, target = get_customer(session, source_id), get_customer(session, target_id)
    if source.merged_into_id is not None:
        raise Conflict(f"customer {source_id} was already merged into {source.merged_into_id}")
    if target.merged_into_id is not None:
        raise Conflict(f"customer {target_id} was merged into {target.merged_into_id}; use that")
    session.execute(
        update(CustomerIdentity)
        .where(CustomerIdentity.customer_id == source.id)
        .values(customer_id=target.id, is_primary=False)
    )
    target.tags = normalize_tags([*target.tags, *source.tags])
    if source.notes:
        target.notes = f"{target.notes}\n\n{source.notes}".strip()
    target.is_vip = target.is_vip or source.is_vip
    target.name = target.name or source.name
    target.language = target.language or source.language
    target.time_zone = target.time_zone or source.time_zone
    target.updated_at = utcnow()
    source.merged_into_id = target.id
    session.flush()
    for hook in _merge_hooks:
        hook(session, source.id, target.id)
    emit(
        session,
        "customer.merged",
        subject_type="customer",
        subject_id=target.id,
        payload={"merged_id": source.id},
    )
    return target
