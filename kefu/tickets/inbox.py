"""What the inbox pages show around the read side's views (kefu.tickets.views): the
sidebar with counts, a view's title and page of rows, a ticket's neighbours in its view."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kefu.errors import KefuError, NotFound
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.tickets import views
from kefu.tickets.queries import TicketRow, ticket_rows

PAGE_SIZE = 50


@dataclass(frozen=True)
class ViewLink:
    key: str
    name: str
    count: str | None
    is_shared: bool = True


@dataclass(frozen=True)
class InboxPage:
    key: str
    title: str
    rows: Sequence[TicketRow]
    next_cursor: str | None


def sidebar(session: Session, *, actor: Actor) -> list[ViewLink]:
    """Built-in views the agent may open, then shared and personal saved views, with counts."""
    counts = views.view_counts(session, actor=actor)
    links = [
        ViewLink(view.key, _(view.label), views.format_count(counts[view.key]))
        for view in views.BUILT_IN_VIEWS
        if view.key in counts and view.key != "deleted"
    ]
    for saved in views.list_saved_views(session, actor=actor):
        count = counts.get(saved.id)
        links.append(
            ViewLink(
                str(saved.id),
                saved.name,
                views.format_count(count) if count is not None else None,
                is_shared=saved.owner_id is None,
            )
        )
    if "deleted" in counts:
        links.append(ViewLink("deleted", _("Deleted"), views.format_count(counts["deleted"])))
    return links


def view_title(session: Session, *, actor: Actor, key: str) -> str:
    if key in views.BUILT_IN:
        return _(views.BUILT_IN[key].label)
    if not key.isdigit():
        raise NotFound(_("no view named %(view)s", view=key))
    return views.get_saved_view(session, actor=actor, view_id=int(key)).name


def view_page(session: Session, *, actor: Actor, key: str, cursor: str | None = None) -> InboxPage:
    title = view_title(session, actor=actor, key=key)
    page = views.list_view(session, actor=actor, view=key, cursor=cursor, limit=PAGE_SIZE)
    return InboxPage(key=key, title=title, rows=page.items, next_cursor=page.next_cursor)


def rows_for(session: Session, ticket_ids: list[int]) -> list[TicketRow]:
    return ticket_rows(session, ticket_ids)


def neighbors_in_view(
    session: Session, *, actor: Actor, view: str, ticket_id: int
) -> dict[str, object]:
    """The tickets before and after this one in the view (within its first pages), so an
    agent works through a queue with "next" without going back to the list."""
    ids: list[int] = []
    cursor = None
    try:
        for _page in range(4):
            page = views.list_view(session, actor=actor, view=view, cursor=cursor, limit=100)
            ids.extend(row.ticket.id for row in page.items)
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
