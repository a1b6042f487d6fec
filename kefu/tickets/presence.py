"""Collision detection: which agents are viewing or typing on a ticket right now.

A ticket page reports "viewing" every HEARTBEAT_SECONDS, "typing" while the agent writes,
and "left" when it closes; an agent whose page stops reporting (tab closed, laptop shut)
drops out PRESENCE_TTL_SECONDS later. The entries live in the broadcast layer, so with Redis
every process sees every agent; each report publishes the ticket's new snapshot on the
channel `ticket:<id>`, which `/stream` turns into a fresh presence partial for the others.

How a ticket page shows it (for the page's author):

    # in the page route
    from kefu.tickets import notifications
    from kefu.tickets.live_pages import presence_context

    notifications.mark_ticket_read(session, actor=actor, ticket_id=ticket.id)
    return render(request, "tickets/ticket.html", {..., **presence_context(request, ticket.id)})

    {# in the template, where the notice belongs #}
    {% include "tickets/_presence.html" %}
    <textarea name="body" data-presence-typing>…</textarea>

`base.html` loads /static/kefu-live.js, which finds the `data-presence-ticket` element of the
partial, opens the event stream for that ticket, sends the heartbeats and swaps the partial.
Opening the ticket reads its notifications, and the bell in the top bar follows.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.kit.broadcast import Broadcast, Message
from kefu.permissions import require
from kefu.tickets.service import get_ticket

PRESENCE_TTL_SECONDS = 30
HEARTBEAT_SECONDS = 10
TYPING_SECONDS = 8  # "typing" not renewed for this long reads as "viewing" again

State = Literal["viewing", "typing", "left"]
STATES: tuple[State, ...] = ("viewing", "typing", "left")


@dataclass(frozen=True, slots=True)
class Presence:
    agent_id: int
    name: str
    state: Literal["viewing", "typing"]


def ticket_channel(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def _group(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def present_on(broadcast: Broadcast, *, ticket_id: int, now: datetime) -> list[Presence]:
    """Everyone on the ticket, by name; typing turns back into viewing after TYPING_SECONDS."""
    entries = broadcast.presence(_group(ticket_id), now=now, ttl_seconds=PRESENCE_TTL_SECONDS)
    found = []
    for member, value in entries.items():
        is_typing = (
            value.get("state") == "typing" and now.timestamp() - value["seen_at"] <= TYPING_SECONDS
        )
        found.append(
            Presence(int(member), str(value.get("name", "")), "typing" if is_typing else "viewing")
        )
    return sorted(found, key=lambda p: (p.name.casefold(), p.agent_id))


def who_is_here(
    broadcast: Broadcast, *, ticket_id: int, exclude_agent_id: int | None, now: datetime
) -> list[Presence]:
    """The other agents viewing or typing on the ticket (not the one asking)."""
    return [
        p
        for p in present_on(broadcast, ticket_id=ticket_id, now=now)
        if p.agent_id != exclude_agent_id
    ]


def snapshot_message(ticket_id: int, present: list[Presence]) -> Message:
    """What `/stream` receives: everyone present; each stream leaves its own agent out."""
    return {
        "type": "presence",
        "ticket_id": ticket_id,
        "present": [{"agent_id": p.agent_id, "name": p.name, "state": p.state} for p in present],
    }


def report_presence(
    session: Session,
    broadcast: Broadcast,
    *,
    actor: Actor,
    ticket_id: int,
    state: str,
    now: datetime,
) -> list[Presence]:
    """Record the actor's state on the ticket, tell the other pages, return who else is here."""
    require(actor, "tickets.read")
    if state not in STATES:
        raise InvalidInput(f"state must be one of {', '.join(STATES)}")
    if actor.agent_id is None:
        raise InvalidInput("only an agent can be present on a ticket")
    get_ticket(session, ticket_id)  # NotFound for a missing or deleted one
    member = str(actor.agent_id)
    if state == "left":
        broadcast.drop_presence(_group(ticket_id), member)
    else:
        value = {"name": actor.name, "state": state}
        broadcast.touch_presence(
            _group(ticket_id), member, value, now=now, ttl_seconds=PRESENCE_TTL_SECONDS
        )
    present = present_on(broadcast, ticket_id=ticket_id, now=now)
    broadcast.publish_sync(ticket_channel(ticket_id), snapshot_message(ticket_id, present))
    return [p for p in present if p.agent_id != actor.agent_id]
