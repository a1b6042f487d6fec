"""The inbox's JSON API under /api/v1: views (built-in and saved) with counts, search, tags and
custom fields."""

from typing import Annotated

from fastapi import Path, Query, Response, status
from sqlalchemy.orm import Session

from kefu.api.params import Cursor, FieldId, Limit
from kefu.api.routing import CONFLICT, NOT_FOUND, api_router
from kefu.kit.i18n import gettext as _
from kefu.permissions import can
from kefu.tickets import details, fields, queries, search, views
from kefu.tickets.filters import TicketFilter
from kefu.tickets.models import SavedView
from kefu.tickets.queries import Sort
from kefu.tickets.schemas import (
    CustomFieldCreate,
    CustomFieldRead,
    CustomFieldUpdate,
    TagCount,
    TicketPage,
    ViewSummary,
)
from kefu.web.deps import ApiActor, DbSession

router = api_router()
VIEWS = ["views"]

ViewPath = Annotated[
    str,
    Path(
        pattern=r"^(?:[a-z_]{1,40}|[1-9][0-9]{0,8})$",
        description="a built-in view's key (my_open, unassigned, all_open, pending, on_hold, "
        "solved, urgent, deleted) or a saved view's id",
        examples=["all_open"],
    ),
]
SavedViewId = Annotated[int, Path(ge=1, le=999_999_999, description="a saved view's id")]


def _saved(view: SavedView) -> views.SavedViewRead:
    return views.SavedViewRead(
        id=view.id,
        name=view.name,
        is_shared=view.owner_id is None,
        filters=TicketFilter.model_validate(view.filters),
        sort=view.sort,
        position=view.position,
        created_at=view.created_at,
    )


def _page(session: Session, page: queries.TicketPage) -> TicketPage:
    items = details.ticket_reads(session, [row.ticket for row in page.items])
    return TicketPage(items=items, next_cursor=page.next_cursor)


@router.get("/views", response_model=list[ViewSummary], tags=VIEWS)
def list_views(session: DbSession, actor: ApiActor) -> list[ViewSummary]:
    """The sidebar: built-in views the token may open, then shared and own saved views, each
    with how many tickets it holds now."""
    counts = views.view_counts(session, actor=actor)
    built_in = [
        ViewSummary(
            id=view.key,
            name=_(view.label),
            kind="built_in",
            is_shared=True,
            ticket_count=counts[view.key],
        )
        for view in views.BUILT_IN_VIEWS
        if view.key in counts and can(actor, view.permission)
    ]
    saved = [
        ViewSummary(
            id=str(view.id),
            name=view.name,
            kind="saved",
            is_shared=view.owner_id is None,
            ticket_count=counts.get(view.id),
        )
        for view in views.list_saved_views(session, actor=actor)
    ]
    return built_in + saved


@router.get("/views/{view}/tickets", response_model=TicketPage, responses=NOT_FOUND, tags=VIEWS)
def list_view_tickets(
    view: ViewPath,
    session: DbSession,
    actor: ApiActor,
    sort: Sort | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> TicketPage:
    page = views.list_view(session, actor=actor, view=view, sort=sort, cursor=cursor, limit=limit)
    return _page(session, page)


@router.post(
    "/views",
    response_model=views.SavedViewRead,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT,
    tags=VIEWS,
)
def create_view(
    data: views.SavedViewIn, session: DbSession, actor: ApiActor
) -> views.SavedViewRead:
    """Save a view: personal, or shared with every agent (`is_shared`: leads and admins)."""
    return _saved(views.create_saved_view(session, actor=actor, data=data))


@router.get("/views/{view_id}", response_model=views.SavedViewRead, responses=NOT_FOUND, tags=VIEWS)
def get_view(view_id: SavedViewId, session: DbSession, actor: ApiActor) -> views.SavedViewRead:
    return _saved(views.get_saved_view(session, actor=actor, view_id=view_id))


@router.put(
    "/views/{view_id}",
    response_model=views.SavedViewRead,
    responses={**NOT_FOUND, **CONFLICT},
    tags=VIEWS,
)
def replace_view(
    view_id: SavedViewId, data: views.SavedViewIn, session: DbSession, actor: ApiActor
) -> views.SavedViewRead:
    """Replace a saved view's name, filters, sort and sharing."""
    return _saved(views.update_saved_view(session, actor=actor, view_id=view_id, data=data))


@router.delete(
    "/views/{view_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=NOT_FOUND,
    tags=VIEWS,
)
def delete_view(view_id: SavedViewId, session: DbSession, actor: ApiActor) -> Response:
    views.delete_saved_view(session, actor=actor, view_id=view_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/search", response_model=TicketPage, tags=["search"])
def search_tickets(
    session: DbSession,
    actor: ApiActor,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            description="words from the subject, messages or the customer's name and address",
        ),
    ],
    cursor: Cursor = None,
    limit: Limit = 50,
) -> TicketPage:
    """Tickets matching every word of `q` (subject, messages, requester's name, emails and
    phones; Chinese too), narrowed by operators such as `status:open tag:vip assignee:me
    from:x@y.com created>2026-01-01`; newest-updated first. Bad operators are a 422."""
    page = search.search_tickets(session, actor=actor, query=q, cursor=cursor, limit=limit)
    return _page(session, page)


@router.get("/tags", response_model=list[TagCount], tags=["tags"])
def list_tags(session: DbSession, actor: ApiActor) -> list[TagCount]:
    """Every tag with the number of live tickets carrying it, most used first."""
    return details.tag_counts(session, actor=actor)


@router.get("/custom-fields", response_model=list[CustomFieldRead], tags=["custom fields"])
def list_custom_fields(
    session: DbSession,
    actor: ApiActor,
    include_inactive: Annotated[bool, Query(description="also the retired ones")] = False,
) -> list[CustomFieldRead]:
    found = fields.list_fields(session, include_inactive=include_inactive)
    return [CustomFieldRead.model_validate(field) for field in found]


@router.post(
    "/custom-fields",
    response_model=CustomFieldRead,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT,
    tags=["custom fields"],
)
def create_custom_field(
    data: CustomFieldCreate, session: DbSession, actor: ApiActor
) -> CustomFieldRead:
    """A new ticket field (admins); its `key` is how tickets name it and cannot change."""
    return CustomFieldRead.model_validate(fields.create_field(session, actor=actor, data=data))


@router.patch(
    "/custom-fields/{field_id}",
    response_model=CustomFieldRead,
    responses=NOT_FOUND,
    tags=["custom fields"],
)
def update_custom_field(
    field_id: FieldId, data: CustomFieldUpdate, session: DbSession, actor: ApiActor
) -> CustomFieldRead:
    field = fields.update_field(session, actor=actor, field_id=field_id, data=data)
    return CustomFieldRead.model_validate(field)
