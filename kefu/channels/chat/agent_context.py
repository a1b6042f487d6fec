"""What the agent pages show of chats: queue rows, the ticket's chat panel, the composer hint.

Decisions (may this agent accept, transfer, end) are made here; the templates only display."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.chat import service as chats
from kefu.channels.chat.schemas import ChatView
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc, utcnow
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.permissions import can
from kefu.tickets.panels import PanelTicket

ACT = "tickets.update"
STATUS_LABELS = {"waiting": N_("Waiting"), "active": N_("Active"), "ended": N_("Ended")}
MAX_CART_LINES = 20


@dataclass(frozen=True, slots=True)
class CartLine:
    label: str
    quantity: str
    price: str


@dataclass(frozen=True, slots=True)
class Cart:
    lines: list[CartLine]
    total: str
    currency: str
    more: int  # lines not shown


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return ""
    return str(value)[:200]


def cart_of(raw: dict[str, Any] | None) -> Cart | None:
    """The store's cart as sent by the widget (any JSON): items with name/title, sku,
    quantity/qty and price, a total and a currency when present. Nothing shown for an empty
    or unreadable cart."""
    if not isinstance(raw, dict):
        return None
    items = raw.get("items") if isinstance(raw.get("items"), list) else []
    lines = []
    for item in items:
        if not isinstance(item, dict):
            continue
        label = _text(item.get("name") or item.get("title") or item.get("sku"))
        quantity = _text(item.get("quantity") or item.get("qty"))
        lines.append(CartLine(label or "?", quantity, _text(item.get("price"))))
    total = _text(raw.get("total") or raw.get("subtotal"))
    if not lines and not total:
        return None
    currency = _text(raw.get("currency"))
    return Cart(lines[:MAX_CART_LINES], total, currency, max(0, len(lines) - MAX_CART_LINES))


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))  # type: ignore[call-overload]


def wait_text(chat: ChatView, now: datetime) -> str:
    """How long the shopper waited (or is waiting) for an agent."""
    return duration_text(chat.wait_seconds(now))


def duration_text(seconds: int) -> str:
    if seconds < 60:
        return _("%(num)s s", num=seconds)
    if seconds < 3600:
        return _("%(num)s min", num=seconds // 60)
    return _("%(hours)s h %(minutes)s min", hours=seconds // 3600, minutes=seconds % 3600 // 60)


def row(chat: ChatView, now: datetime) -> dict[str, Any]:
    """One chat as a queue row shows it."""
    return {
        "chat": chat,
        "wait": wait_text(chat, now),
        "talking": duration_text(
            max(0, int((now - as_utc(chat.accepted_at or chat.started_at)).total_seconds()))
        ),
        "status": status_label(chat.status),
        "cart": cart_of(chat.cart),
        "order": chat.prechat.get("order", ""),
        "visitor": chat.visitor_name or chat.visitor_email or _("Shopper"),
    }


def _my_team_ids(session: Session, actor: Actor) -> list[int]:
    if actor.agent_id is None:
        return []
    members = accounts.members_by_team(session, actor=actor)
    return [team for team, agents in members.items() if any(a.id == actor.agent_id for a in agents)]


def queue_context(session: Session, actor: Actor, *, mine_only: bool) -> dict[str, Any]:
    """The /chats page: waiting chats (all, or only those for the agent's teams and for no
    team), the agent's active chats, and how many more they may take."""
    now = utcnow()
    team_ids = _my_team_ids(session, actor) if mine_only else None
    waiting = chats.waiting_chats(session, team_ids=team_ids)
    mine = chats.agent_chats(session, actor.agent_id) if actor.agent_id else []
    limit = chats.limit_of(session, actor.agent_id) if actor.agent_id else 0
    teams = {t.id: t.name for t in accounts.list_teams(session, actor=actor)}
    return {
        "waiting": [row(c, now) for c in waiting],
        "mine": [row(c, now) for c in mine],
        "limit": limit,
        "room": max(0, limit - len(mine)),
        "team_names": teams,
        "mine_only": mine_only,
        "can_accept": can(actor, ACT) and actor.agent_id is not None,
        "can_set_limits": can(actor, "teams.manage"),
    }


def panel_context(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    """The ticket page's chat panel, or None when the ticket has no chat."""
    chat = chats.chat_for_ticket(session, ticket.id)
    if chat is None:
        return None
    return chat_panel(session, actor, chat)


def chat_panel(session: Session, actor: Actor, chat: ChatView) -> dict[str, Any]:
    now = utcnow()
    may_act = can(actor, ACT)
    is_open = chat.status != "ended"
    context: dict[str, Any] = {
        **row(chat, now),
        "can_accept": may_act and chat.status == "waiting" and actor.agent_id is not None,
        "can_transfer": may_act and is_open,
        "can_end": may_act and is_open,
        "is_mine": chat.agent_id is not None and chat.agent_id == actor.agent_id,
        "team_name": None,
        "agents": [],
        "teams": [],
    }
    teams = accounts.list_teams(session, actor=actor)
    context["team_name"] = next((t.name for t in teams if t.id == chat.team_id), None)
    if context["can_transfer"]:
        agents = accounts.list_agents(session, actor=actor, include_inactive=False)
        context["agents"] = [a for a in agents if a.id != chat.agent_id and a.role != "light_agent"]
        context["teams"] = teams
    return context


def composer_context(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    """Inside the composer of a ticket whose chat is open: Enter sends, the shopper's typing
    shows above the box, and the agent's typing goes to the shopper."""
    chat = chats.chat_for_ticket(session, ticket.id)
    if chat is None or chat.status == "ended":
        return None
    return {"chat": chat}
