"""SLA policies: the ordered list managers edit, and the one that applies to a ticket (the
first active policy whose conditions it meets)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.commerce import stores
from kefu.customers import service as customers
from kefu.errors import InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.kit.batch_cache import cached
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.sla.models import SlaPolicy
from kefu.sla.schemas import METRICS, PolicyConditions, PolicyIn, PolicyRead
from kefu.tickets import service as tickets

MANAGE = "rules.manage"


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What a policy's conditions look at, read through the tickets and customers services."""

    priority: str
    channel: str
    type: str | None
    store_id: int | None
    team_id: int | None
    status: str
    is_vip: bool
    customer_tags: frozenset[str]


def ticket_facts(session: Session, ticket_id: int) -> TicketFacts:
    ticket = tickets.get_ticket(session, ticket_id, include_deleted=True)
    customer = customers.get_customer(session, ticket.requester_id, follow_merge=True)
    return TicketFacts(
        priority=ticket.priority,
        channel=ticket.channel,
        type=ticket.type,
        store_id=ticket.store_id,
        team_id=ticket.team_id,
        status=ticket.status,
        is_vip=bool(customer.is_vip),
        customer_tags=frozenset(customer.tags or []),
    )


def list_policies(session: Session) -> list[SlaPolicy]:
    return list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.position, SlaPolicy.id)))


def get_policy(session: Session, policy_id: int) -> SlaPolicy:
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound(_("SLA policy %(id)s not found", id=policy_id))
    return policy


def policy_read(policy: SlaPolicy) -> PolicyRead:
    return PolicyRead(
        id=policy.id,
        name=policy.name,
        position=policy.position,
        is_active=policy.is_active,
        conditions=PolicyConditions.model_validate(policy.conditions),
        targets=policy.targets,
        hours=policy.hours,  # type: ignore[arg-type]
        pause_statuses=policy.pause_statuses,
        warn_minutes=policy.warn_minutes,
    )


def _apply(session: Session, policy: SlaPolicy, data: PolicyIn) -> None:
    for store_id in data.conditions.store_ids:
        try:
            stores.get_store(session, store_id)
        except NotFound:
            raise InvalidInput(_("there is no store %(id)s", id=store_id)) from None
    policy.name = data.name
    policy.is_active = data.is_active
    policy.conditions = data.conditions.model_dump(mode="json")
    policy.targets = {
        metric: {str(priority): minutes for priority, minutes in by_priority.items()}
        for metric, by_priority in data.targets.items()
    }
    policy.hours = data.hours
    policy.pause_statuses = list(data.pause_statuses)
    policy.warn_minutes = data.warn_minutes
    if data.position is not None:
        policy.position = data.position
    session.add(policy)
    session.flush()


def create_policy(session: Session, *, actor: Actor, data: PolicyIn) -> SlaPolicy:
    """A new policy goes last unless a position is given."""
    require(actor, MANAGE)
    last = session.scalar(select(func.max(SlaPolicy.position)))
    policy = SlaPolicy(position=(last + 1) if last is not None else 0)
    _apply(session, policy, data)
    return policy


def update_policy(session: Session, *, actor: Actor, policy_id: int, data: PolicyIn) -> SlaPolicy:
    require(actor, MANAGE)
    policy = get_policy(session, policy_id)
    _apply(session, policy, data)
    return policy


def delete_policy(session: Session, *, actor: Actor, policy_id: int) -> None:
    """Running clocks keep their targets; new tickets match the remaining policies."""
    require(actor, MANAGE)
    session.delete(get_policy(session, policy_id))
    session.flush()


def move_policy(session: Session, *, actor: Actor, policy_id: int, offset: int) -> None:
    """Move a policy up (-1) or down (+1) in the order; positions are renumbered 0, 1, …"""
    require(actor, MANAGE)
    ordered = list_policies(session)
    index = next((i for i, p in enumerate(ordered) if p.id == policy_id), None)
    if index is None:
        raise NotFound(_("SLA policy %(id)s not found", id=policy_id))
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    for position, policy in enumerate(ordered):
        if policy.position != position:
            policy.position = position
    session.flush()


def matches(policy: SlaPolicy, facts: TicketFacts) -> bool:
    conditions = policy.conditions or {}
    for key, value in (
        ("priorities", facts.priority),
        ("channels", facts.channel),
        ("types", facts.type),
        ("store_ids", facts.store_id),
    ):
        wanted = conditions.get(key) or []
        if wanted and value not in wanted:
            return False
    vip = conditions.get("vip")
    if vip is not None and facts.is_vip != vip:
        return False
    tags = conditions.get("customer_tags") or []
    return not tags or bool(facts.customer_tags & set(tags))


def any_active(session: Session) -> bool:
    return cached(
        session,
        "sla.any_active",
        lambda: (
            session.scalar(select(SlaPolicy.id).where(SlaPolicy.is_active).limit(1)) is not None
        ),
    )


def policy_for(session: Session, facts: TicketFacts) -> SlaPolicy | None:
    """The first active policy, in order, whose conditions the ticket meets."""
    for policy in cached(session, "sla.policies", lambda: list_policies(session)):
        if policy.is_active and matches(policy, facts):
            return policy
    return None


def targets_for(policy: SlaPolicy, priority: str) -> dict[str, int]:
    """Minutes per metric for a priority (metrics without a target for it left out)."""
    found = {}
    for metric in METRICS:
        minutes = (policy.targets.get(metric) or {}).get(priority)
        if minutes:
            found[metric] = int(minutes)
    return found
