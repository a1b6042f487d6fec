"""Tickets JSON API under /api/v1: tickets, their messages and attachments, merge, split, links."""

from typing import Annotated

from fastapi import Query, Request, status
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.api.params import (
    Cursor,
    CustomerId,
    Limit,
    TicketId,
    id_cursor,
    next_id_cursor,
)
from kefu.api.routing import CONFLICT, NOT_FOUND, api_router
from kefu.errors import InvalidInput, describe_validation
from kefu.kit.bounds import RowId
from kefu.kit.filestore import FileStore
from kefu.tickets import details, files, merge, messages, queries, service, views
from kefu.tickets.filters import TicketFilter
from kefu.tickets.models import Ticket
from kefu.tickets.queries import Sort
from kefu.tickets.schemas import (
    Channel,
    MessageCreate,
    MessagePage,
    MessageRead,
    Priority,
    Status,
    TicketCreate,
    TicketLinkIn,
    TicketMerge,
    TicketPage,
    TicketRead,
    TicketSplit,
    TicketType,
    TicketUpdate,
)
from kefu.web.deps import ApiActor, DbSession

router = api_router()
TICKETS = ["tickets"]

ViewKey = Annotated[
    str | None,
    Query(
        pattern=r"^(?:[a-z_]{1,40}|[1-9][0-9]{0,8})$",
        description="a built-in view (my_open, unassigned, all_open, pending, on_hold, solved, "
        "urgent, deleted) or a saved view's id; instead of the filters",
    ),
]
Assignee = Annotated[
    str | None,
    Query(pattern=r"^(?:me|none|[1-9][0-9]{0,8})$", description="an agent id, `me` or `none`"),
]
TextList = Annotated[list[str] | None, Query(max_length=50)]


def _files(request: Request) -> FileStore:
    return request.app.state.runtime.files  # type: ignore[no-any-return]


def _read(session: Session, ticket: Ticket) -> TicketRead:
    return details.ticket_reads(session, [ticket])[0]


def _filter(values: dict[str, object]) -> TicketFilter:
    try:
        return TicketFilter.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        raise InvalidInput(describe_validation(exc.errors())) from None


@router.get("/tickets", response_model=TicketPage, responses=NOT_FOUND, tags=TICKETS)
def list_tickets(
    session: DbSession,
    actor: ApiActor,
    view: ViewKey = None,
    status_: Annotated[list[Status] | None, Query(alias="status")] = None,
    priority: Annotated[list[Priority] | None, Query()] = None,
    type: Annotated[list[TicketType] | None, Query()] = None,
    channel: Annotated[list[Channel] | None, Query()] = None,
    assignee: Assignee = None,
    team_id: Annotated[RowId | None, Query()] = None,
    requester_id: Annotated[RowId | None, Query()] = None,
    tag: TextList = None,
    q: Annotated[str | None, Query(max_length=500, description="words to search for")] = None,
    sla_breached: Annotated[
        bool | None, Query(description="a running SLA clock is past due (or, false, none is)")
    ] = None,
    sla_due_within: Annotated[
        int | None,
        Query(ge=1, le=60 * 24 * 31, description="an SLA clock falls due within these minutes"),
    ] = None,
    sort: Sort | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> TicketPage:
    """A page of a view's tickets, or of the tickets matching all the filters given (none:
    every live ticket), most recently updated first unless `sort` says otherwise."""
    filters = {
        "statuses": status_,
        "priorities": priority,
        "types": type,
        "channels": channel,
        "assignee": int(assignee) if assignee and assignee.isdigit() else assignee,
        "team_id": team_id,
        "requester_id": requester_id,
        "tags_all": tag,
        "text": q,
        "sla_breached": sla_breached,
        "sla_due_within_minutes": sla_due_within,
    }
    if view is not None:
        if any(value is not None for value in filters.values()):
            raise InvalidInput("give either a view or filters, not both")
        page = views.list_view(
            session, actor=actor, view=view, cursor=cursor, limit=limit, sort=sort
        )
    else:
        page = queries.ticket_page(
            session,
            actor=actor,
            spec=_filter(filters),
            sort=sort or "updated_desc",
            cursor=cursor,
            limit=limit,
        )
    items = details.ticket_reads(session, [row.ticket for row in page.items])
    return TicketPage(items=items, next_cursor=page.next_cursor)


@router.post(
    "/tickets",
    response_model=TicketRead,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
    tags=TICKETS,
)
def create_ticket(
    data: TicketCreate, request: Request, session: DbSession, actor: ApiActor
) -> TicketRead:
    """Open a ticket for a customer (found or created by e-mail or phone), optionally with a
    first reply or note."""
    if data.message is not None:
        files.require_uploaded(_files(request), data.message.attachments)
    return _read(session, service.create_ticket(session, actor=actor, data=data))


@router.get("/tickets/{ticket_id}", response_model=TicketRead, responses=NOT_FOUND, tags=TICKETS)
def get_ticket(ticket_id: TicketId, session: DbSession, actor: ApiActor) -> TicketRead:
    return _read(session, service.read_ticket(session, actor=actor, ticket_id=ticket_id))


@router.patch(
    "/tickets/{ticket_id}",
    response_model=TicketRead,
    responses={**NOT_FOUND, **CONFLICT},
    tags=TICKETS,
)
def update_ticket(
    ticket_id: TicketId, data: TicketUpdate, session: DbSession, actor: ApiActor
) -> TicketRead:
    """Change only the fields sent; `null` clears assignee, team, type, due date or a field.
    Closed and merged tickets do not change (409)."""
    ticket = service.update_ticket(session, actor=actor, ticket_id=ticket_id, data=data)
    return _read(session, ticket)


@router.delete("/tickets/{ticket_id}", response_model=TicketRead, responses=NOT_FOUND, tags=TICKETS)
def delete_ticket(ticket_id: TicketId, session: DbSession, actor: ApiActor) -> TicketRead:
    """Move the ticket to the Deleted view (admins); it can be restored."""
    return _read(session, service.delete_ticket(session, actor=actor, ticket_id=ticket_id))


@router.post(
    "/tickets/{ticket_id}/restore",
    response_model=TicketRead,
    responses={**NOT_FOUND, **CONFLICT},
    tags=TICKETS,
)
def restore_ticket(ticket_id: TicketId, session: DbSession, actor: ApiActor) -> TicketRead:
    return _read(session, service.restore_ticket(session, actor=actor, ticket_id=ticket_id))


@router.get(
    "/tickets/{ticket_id}/messages", response_model=MessagePage, responses=NOT_FOUND, tags=TICKETS
)
def list_ticket_messages(
    ticket_id: TicketId,
    session: DbSession,
    actor: ApiActor,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> MessagePage:
    """The conversation, oldest first: replies, internal notes and their attachments."""
    page = details.ticket_messages(
        session, actor=actor, ticket_id=ticket_id, after_id=id_cursor(cursor), limit=limit
    )
    return MessagePage(
        items=details.message_reads(session, list(page.items)),
        next_cursor=next_id_cursor(page.next_cursor),
    )


@router.post(
    "/tickets/{ticket_id}/messages",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
    tags=TICKETS,
)
def add_ticket_message(
    ticket_id: TicketId, data: MessageCreate, request: Request, session: DbSession, actor: ApiActor
) -> MessageRead:
    """A public reply (sent to the customer) or an internal note; attachments are uploaded
    first with `upload_attachment`. Light agents may only write notes."""
    files.require_uploaded(_files(request), data.attachments)
    message = messages.add_message(session, actor=actor, ticket_id=ticket_id, data=data)
    return details.message_reads(session, [message])[0]


@router.post(
    "/tickets/{ticket_id}/merge",
    response_model=TicketRead,
    responses={**NOT_FOUND, **CONFLICT},
    tags=TICKETS,
)
def merge_tickets(
    ticket_id: TicketId, data: TicketMerge, session: DbSession, actor: ApiActor
) -> TicketRead:
    """Fold the `source_ids` tickets into this one: their messages move here and they close."""
    target = merge.merge_tickets(
        session, actor=actor, target_id=ticket_id, source_ids=data.source_ids
    )
    return _read(session, target)


@router.post(
    "/tickets/{ticket_id}/split",
    response_model=TicketRead,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT},
    tags=TICKETS,
)
def split_ticket(
    ticket_id: TicketId, data: TicketSplit, session: DbSession, actor: ApiActor
) -> TicketRead:
    """Move one message into a new ticket of its own; the two are linked. Returns the new one."""
    new = merge.split_message(session, actor=actor, ticket_id=ticket_id, message_id=data.message_id)
    return _read(session, new)


@router.get(
    "/tickets/{ticket_id}/links", response_model=list[TicketRead], responses=NOT_FOUND, tags=TICKETS
)
def list_ticket_links(ticket_id: TicketId, session: DbSession, actor: ApiActor) -> list[TicketRead]:
    linked = details.linked_tickets(session, actor=actor, ticket_id=ticket_id)
    return details.ticket_reads(session, linked)


@router.post(
    "/tickets/{ticket_id}/links",
    response_model=list[TicketRead],
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT},
    tags=TICKETS,
)
def link_ticket(
    ticket_id: TicketId, data: TicketLinkIn, session: DbSession, actor: ApiActor
) -> list[TicketRead]:
    """Link two related tickets (both list each other); returns this ticket's links."""
    merge.link_tickets(session, actor=actor, ticket_id=ticket_id, other_id=data.ticket_id)
    linked = details.linked_tickets(session, actor=actor, ticket_id=ticket_id)
    return details.ticket_reads(session, linked)


@router.get(
    "/customers/{customer_id}/tickets",
    response_model=TicketPage,
    responses=NOT_FOUND,
    tags=["customers"],
)
def list_customer_tickets(
    customer_id: CustomerId,
    session: DbSession,
    actor: ApiActor,
    cursor: Cursor = None,
    limit: Limit = 25,
) -> TicketPage:
    """The tickets a customer asked, newest first."""
    page = details.customer_tickets(
        session, actor=actor, customer_id=customer_id, before_id=id_cursor(cursor), limit=limit
    )
    return TicketPage(
        items=details.ticket_reads(session, list(page.items)),
        next_cursor=next_id_cursor(page.next_cursor),
    )
