"""Read-side test data inserted as rows, with exact times and states (views sort on them), then
indexed for search like the handlers would."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts.models import Agent
from kefu.accounts.service import actor_for
from kefu.customers.models import Customer, CustomerIdentity
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.tickets.models import CustomField, Message, Tag, Ticket, TicketFieldValue, TicketTag
from kefu.tickets.search_index import index_tickets

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def hours_ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def add_agent(
    session: Session, *, name: str = "Ann Agent", role: Role = Role.AGENT, email: str = ""
) -> Actor:
    agent = Agent(
        name=name, email=email or f"{name.split()[0].lower()}@shop.example", role=role.value
    )
    session.add(agent)
    session.flush()
    return actor_for(agent)


def add_customer(
    session: Session,
    *,
    name: str = "Emily Chen",
    email: str | None = None,
    phone: str | None = None,
) -> Customer:
    customer = Customer(name=name)
    session.add(customer)
    session.flush()
    for kind, value in (("email", email), ("phone", phone)):
        if value is not None:
            session.add(
                CustomerIdentity(customer_id=customer.id, kind=kind, value=value, is_primary=True)
            )
    session.flush()
    return customer


def _tag_id(session: Session, name: str) -> int:
    tag_id = session.scalar(select(Tag.id).where(Tag.name == name))
    if tag_id is None:
        tag = Tag(name=name)
        session.add(tag)
        session.flush()
        tag_id = tag.id
    return tag_id


def add_field(session: Session, *, key: str, field_type: str = "text") -> CustomField:
    field = CustomField(key=key, label=key.title(), field_type=field_type)
    session.add(field)
    session.flush()
    return field


def add_ticket(
    session: Session,
    *,
    requester: Customer,
    subject: str = "Question",
    status: str = "open",
    priority: str = "normal",
    updated: float = 1,
    created: float | None = None,
    assignee: Actor | None = None,
    messages: Iterable[str] = (),
    tags: Iterable[str] = (),
    fields: dict[CustomField, str] | None = None,
    **values: object,
) -> Ticket:
    """A ticket last updated `updated` hours before NOW (created `created` hours before)."""
    ticket = Ticket(
        subject=subject,
        status=status,
        priority=priority,
        requester_id=requester.id,
        assignee_id=assignee.agent_id if assignee else None,
        updated_at=hours_ago(updated),
        created_at=hours_ago(created if created is not None else updated + 1),
        message_count=0,
        **values,
    )
    session.add(ticket)
    session.flush()
    for text in messages:
        session.add(
            Message(
                ticket_id=ticket.id,
                kind="reply",
                author_type="customer",
                author_customer_id=requester.id,
                body_text=text,
                channel=ticket.channel,
            )
        )
    for name in tags:
        session.add(TicketTag(ticket_id=ticket.id, tag_id=_tag_id(session, name)))
    for field, value in (fields or {}).items():
        number = Decimal(value) if field.field_type == "number" else None
        session.add(
            TicketFieldValue(
                ticket_id=ticket.id, field_id=field.id, value=value, number_value=number
            )
        )
    session.flush()
    index_tickets(session, [ticket.id])
    return ticket


def ids(page: object) -> list[int]:
    return [row.ticket.id for row in page.items]  # type: ignore[attr-defined]


def all_pages(fetch: object, *, limit: int) -> list[int]:
    """Every id of a paged listing, following next_cursor: `fetch(cursor, limit)`."""
    found: list[int] = []
    cursor = None
    for _ in range(100):
        page = fetch(cursor, limit)  # type: ignore[operator]
        found += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            return found
    raise AssertionError("pagination did not end")
