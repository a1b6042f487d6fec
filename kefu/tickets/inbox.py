"""What the inbox pages show: the sidebar's views with counts, a view's rows page by page,
and a ticket's neighbours in the view it was opened from.

The rows come from the read side (kefu.tickets.queries: list_view, view_counts); this module
only adds what a row displays (requester, assignee, tags) in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.customers import service as customers
from kefu.errors import KefuError
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.tickets import interim_views as views
from kefu.tickets.models import Ticket
from kefu.tickets.service import tags_of

BUILTIN_VIEWS: dict[str, str] = {
    "mine": N_("My open tickets"),
    "unassigned": N_("Unassigned"),
    "open": N_("All open"),
    "pending": N_("Pending"),
    "on_hold": N_("On-hold"),
    "solved": N_("Recently solved"),
    "urgent": N_("Urgent"),
}
ADMIN_VIEWS: dict[str, str] = {"deleted": N_("Deleted")}
PAGE_SIZE = 50


@dataclass(frozen=True)
class ViewLink:
    key: str
    name: str
    count: int | None
    is_shared: bool = True


@dataclass(frozen=True)
class InboxRow:
    ticket: Ticket
    requester_name: str
    requester_email: str
    assignee_name: str | None
    tags: list[str]
    is_new: bool


@dataclass(frozen=True)
class InboxPage:
    key: str
    title: str
    rows: list[InboxRow]
    next_cursor: str | None


def sidebar(session: Session, *, actor: Actor) -> list[ViewLink]:
    """Built-in views, then the agent's saved views, each with its live count."""
    counts = views.view_counts(session, actor=actor)
    links = [ViewLink(key, _(name), counts.get(key)) for key, name in BUILTIN_VIEWS.items()]
    for saved in views.saved_views(session, actor=actor):
        links.append(
            ViewLink(str(saved.id), saved.name, counts.get(str(saved.id)), saved.owner_id is None)
        )
    if views.can_see_deleted(actor):
        links.extend(ViewLink(key, _(name), counts.get(key)) for key, name in ADMIN_VIEWS.items())
    return links


def view_title(session: Session, *, actor: Actor, key: str) -> str:
    if key in BUILTIN_VIEWS:
        return _(BUILTIN_VIEWS[key])
    if key in ADMIN_VIEWS:
        return _(ADMIN_VIEWS[key])
    return views.get_saved_view(session, actor=actor, key=key).name


def rows_for(session: Session, tickets: list[Ticket], *, now: datetime) -> list[InboxRow]:
    """Inbox rows for tickets: three queries whatever the page size."""
    ids = [t.id for t in tickets]
    tags = tags_of(session, ids)
    people = customers.customers_by_ids(session, [t.requester_id for t in tickets])
    emails = customers.identities_of(session, [t.requester_id for t in tickets])
    agents = accounts.agents_by_ids(session, [t.assignee_id for t in tickets])
    rows = []
    for ticket in tickets:
        person = people.get(ticket.requester_id)
        address = next(
            (i.value for i in emails.get(ticket.requester_id, []) if i.kind == "email"), ""
        )
        assignee = agents.get(ticket.assignee_id) if ticket.assignee_id else None
        rows.append(
            InboxRow(
                ticket=ticket,
                requester_name=(person.name if person else "") or address or _("Customer"),
                requester_email=address,
                assignee_name=assignee.name if assignee else None,
                tags=tags[ticket.id],
                is_new=ticket.status == "new",
            )
        )
    return rows


def view_page(
    session: Session, *, actor: Actor, key: str, cursor: str | None = None, now: datetime
) -> InboxPage:
    title = view_title(session, actor=actor, key=key)
    page = views.list_view(session, actor=actor, view=key, cursor=cursor, limit=PAGE_SIZE)
    return InboxPage(
        key=key,
        title=title,
        rows=rows_for(session, list(page.items), now=now),
        next_cursor=page.next_cursor,
    )


def neighbors_in_view(
    session: Session, *, actor: Actor, view: str, ticket_id: int
) -> dict[str, Any]:
    """The tickets before and after this one in the view (the first pages of it), so an
    agent can work through a queue with "next" without going back to the list."""
    try:
        ids: list[int] = []
        cursor = None
        for _page in range(4):
            page = views.list_view(session, actor=actor, view=view, cursor=cursor, limit=100)
            ids.extend(t.id for t in page.items)
            cursor = page.next_cursor
            if ticket_id in ids or cursor is None:
                break
    except KefuError:  # a stale or foreign view key in the URL: no neighbours, no error
        return {}
    if ticket_id not in ids:
        return {"view": view}
    at = ids.index(ticket_id)
    return {
        "view": view,
        "previous": ids[at - 1] if at > 0 else None,
        "next": ids[at + 1] if at + 1 < len(ids) else None,
        "position": at + 1,
        "total": len(ids),
    }
