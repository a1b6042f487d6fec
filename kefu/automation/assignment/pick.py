"""Picking an agent for a team ticket: who is online, under capacity and (for skills-based
teams) has every skill the ticket needs; round robin, least loaded or skills decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.automation.assignment import service
from kefu.automation.assignment.schemas import AgentStatusValue, Method, TeamAssignmentRead
from kefu.customers import service as customers
from kefu.kit.actor import Actor
from kefu.kit.batch_cache import cached
from kefu.kit.i18n import N_
from kefu.permissions import Role
from kefu.tickets import fields as custom_fields
from kefu.tickets import queries as ticket_queries
from kefu.tickets import service as tickets

PRODUCT_FIELD = "product_line"
LANGUAGE_SKILLS = {"en": "language:en", "zh_Hans": "language:zh"}


NO_MEMBERS = N_("the team has no members who can take tickets")
NOBODY_ONLINE = N_("no team member is online")
ALL_FULL = N_("every online team member is at capacity")
NO_SKILLS = N_("no online team member under capacity has the skills %(skills)s")


@dataclass(frozen=True)
class Pick:
    """The agent picked, or None with the reason no one could take the ticket (an
    untranslated message and its values)."""

    agent_id: int | None
    reason: str = ""
    values: tuple[tuple[str, str], ...] = ()


def required_skills(session: Session, ticket: Any) -> list[str]:
    """The skills a ticket asks for, by naming convention (docs/macros.md):
    `language:<en|zh>` from the customer's language, `channel:<channel>`, `vip` for a VIP
    customer, `product:<name>` from the `product_line` field or a `product:<name>` tag.
    A skill nobody was ever given (no such skill exists) is not required."""
    customer = customers.get_customer(session, ticket.requester_id)
    wanted = [f"channel:{ticket.channel}"]
    if customer.language in LANGUAGE_SKILLS:
        wanted.append(LANGUAGE_SKILLS[customer.language])
    if customer.is_vip:
        wanted.append("vip")
    product = custom_fields.current_values(session, [ticket.id])[ticket.id].get(PRODUCT_FIELD)
    if product:
        wanted.append(f"product:{str(product).strip().lower()}")
    tags = tickets.tags_of(session, [ticket.id])[ticket.id]
    wanted += [tag for tag in tags if tag.startswith("product:")]
    existing = accounts.skill_names(session)
    return sorted({skill for skill in wanted if skill in existing})


def members_by_team(session: Session) -> dict[int, list[Any]]:
    """Every team's members, read once per batch (kefu.kit.batch_cache): handlers do not
    change who is in which team."""
    return cached(
        session,
        "assignment.members",
        lambda: accounts.members_by_team(session, actor=Actor.system()),
    )


def _members(session: Session, team_id: int) -> list[Any]:
    members = members_by_team(session).get(team_id, [])
    return sorted(
        (a for a in members if a.is_active and a.role != Role.LIGHT_AGENT),
        key=lambda agent: agent.id,
    )


def pick_agent(session: Session, *, ticket: Any, settings: TeamAssignmentRead) -> Pick:
    """The agent the team's method gives the ticket to (the team row is locked by the
    caller). Ties in load go to whoever waited longest since their last ticket."""
    members = _members(session, settings.team_id)
    if not members:
        return Pick(None, NO_MEMBERS)
    ids = [a.id for a in members]
    statuses = cached(
        session, ("assignment.statuses", tuple(ids)), lambda: service.statuses_of(session, ids)
    )
    online = [a for a in ids if statuses[a] == AgentStatusValue.ONLINE.value]
    if not online:
        return Pick(None, NOBODY_ONLINE)
    loads = _loads(session, online)

    def limit(agent_id: int) -> int | None:
        return settings.capacities.get(agent_id, settings.default_capacity)

    free = [a for a in online if (cap := limit(a)) is None or loads[a] < cap]
    if not free:
        return Pick(None, ALL_FULL)
    if settings.method == Method.ROUND_ROBIN:
        last = service.round_robin_position(session, settings.team_id)
        after = [a for a in free if last is None or a > last]
        chosen = (after or free)[0]
        service.move_round_robin(session, settings.team_id, chosen)
        return Pick(chosen)
    if settings.method == Method.SKILLS:
        needed = required_skills(session, ticket)
        skills = accounts.skills_of(session, free)
        free = [a for a in free if set(needed) <= set(skills[a])]
        if not free:
            return Pick(None, NO_SKILLS, (("skills", ", ".join(needed)),))
    waited = assigned_at(session)
    unknown = [a for a in free if a not in waited]
    if unknown:
        waited.update(service.last_assigned(session, unknown))
    return Pick(min(free, key=lambda a: (loads[a], waited[a], a)))


def _loads(session: Session, agent_ids: list[int]) -> dict[int, int]:
    """Each agent's open tickets; within a batch read once per agent and then kept by
    `moved_load` as the handler assigns (nothing else changes them while it runs)."""
    loads: dict[int, int] = cached(session, "assignment.loads", dict)
    unknown = [a for a in agent_ids if a not in loads]
    if unknown:
        loads.update(ticket_queries.open_counts(session, unknown))
    return loads


def moved_load(session: Session, before: int | None, after: int | None) -> None:
    """An open ticket went from agent `before` to `after` (None: nobody): their loads."""
    loads: dict[int, int] = cached(session, "assignment.loads", dict)
    if before in loads:
        loads[before] -= 1
    if after in loads:
        loads[after] += 1


def assigned_at(session: Session) -> dict[int, float]:
    """When each agent last got a ticket (`service.last_assigned`), kept within a batch."""
    return cached(session, "assignment.assigned_at", dict)
