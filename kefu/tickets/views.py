"""Inbox views: the built-in ones (My open, Unassigned, …), agents' and shared saved views,
a page of any of them, and the sidebar's counts."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kefu.errors import Conflict, InvalidInput, NotFound, PermissionDenied, describe_validation
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.permissions import can, require
from kefu.tickets.filters import OPEN_STATUSES, UNSOLVED_STATUSES, TicketFilter
from kefu.tickets.models import CustomField, SavedView
from kefu.tickets.queries import (
    COUNT_CAP,
    DELETED_DESC,
    SOLVED_DESC,
    SORTS,
    Sort,
    TicketPage,
    capped_count,
    ticket_page,
)

# Shared views change every agent's sidebar: leads and admins only.
SHARED_VIEWS_PERMISSION = "rules.manage"
DELETED_VIEW_PERMISSION = "tickets.delete"
RECENTLY_SOLVED_DAYS = 7
MAX_SAVED_VIEWS = 100


@dataclass(frozen=True, slots=True)
class BuiltInView:
    key: str
    label: str  # N_() marked; translate where shown
    sort: str
    permission: str = "tickets.read"
    needs_agent: bool = False


BUILT_IN_VIEWS: tuple[BuiltInView, ...] = (
    BuiltInView("my_open", N_("My open tickets"), "updated_desc", needs_agent=True),
    BuiltInView("unassigned", N_("Unassigned"), "updated_desc"),
    BuiltInView("all_open", N_("All open"), "updated_desc"),
    BuiltInView("pending", N_("Pending"), "updated_desc"),
    BuiltInView("on_hold", N_("On hold"), "updated_desc"),
    BuiltInView("solved", N_("Recently solved"), SOLVED_DESC),
    BuiltInView("urgent", N_("Urgent"), "updated_desc"),
    BuiltInView("deleted", N_("Deleted"), DELETED_DESC, permission=DELETED_VIEW_PERMISSION),
)
BUILT_IN = {view.key: view for view in BUILT_IN_VIEWS}


def built_in_filter(key: str, *, now: datetime) -> TicketFilter:
    """The filter behind a built-in view (times relative to `now`)."""
    filters: dict[str, TicketFilter] = {
        "my_open": TicketFilter(assignee="me", statuses=list(OPEN_STATUSES)),
        "unassigned": TicketFilter(assignee="none", statuses=list(OPEN_STATUSES)),
        "all_open": TicketFilter(statuses=list(OPEN_STATUSES)),
        "pending": TicketFilter(statuses=["pending"]),
        "on_hold": TicketFilter(statuses=["on_hold"]),
        "solved": TicketFilter(
            statuses=["solved", "closed"],
            solved_after=now - timedelta(days=RECENTLY_SOLVED_DAYS),
        ),
        "urgent": TicketFilter(priorities=["urgent"], statuses=list(UNSOLVED_STATUSES)),
        "deleted": TicketFilter(deleted=True),
    }
    return filters[key]


class SavedViewIn(BaseModel):
    """A saved view as an agent submits it; `is_shared` puts it in every agent's sidebar."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    filters: TicketFilter = Field(default_factory=TicketFilter)
    sort: Sort = "updated_desc"
    is_shared: bool = False
    position: int = Field(default=0, ge=0, le=10_000)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("a view needs a name")
        return value


def _validated(data: SavedViewIn | dict[str, Any]) -> SavedViewIn:
    if isinstance(data, SavedViewIn):
        return data
    try:
        return SavedViewIn.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe_validation(exc.errors())) from None


def saved_view_filter(view: SavedView) -> TicketFilter:
    try:
        return TicketFilter.model_validate(view.filters)
    except ValidationError as exc:
        raise InvalidInput(
            _(
                "the view “%(name)s” has a broken filter: %(reason)s",
                name=view.name,
                reason=describe_validation(exc.errors()),
            )
        ) from None


def _check_filters(session: Session, data: SavedViewIn) -> None:
    if data.filters.deleted:
        raise InvalidInput(_("a saved view cannot show deleted tickets; use the Deleted view"))
    keys = {condition.key for condition in data.filters.fields}
    if keys:
        known = set(session.scalars(select(CustomField.key).where(CustomField.key.in_(keys))))
        unknown = sorted(keys - known)
        if unknown:
            raise InvalidInput(_("no custom field has the key %(key)s", key=unknown[0]))


def _check_name_free(
    session: Session, *, name: str, owner_id: int | None, except_id: int | None = None
) -> None:
    owner = SavedView.owner_id.is_(None) if owner_id is None else SavedView.owner_id == owner_id
    statement = select(SavedView.id).where(owner, SavedView.name == name)
    if except_id is not None:
        statement = statement.where(SavedView.id != except_id)
    if session.scalar(statement) is not None:
        raise Conflict(_("a view named “%(name)s” already exists", name=name))


def _owner_for(actor: Actor, *, is_shared: bool) -> int | None:
    if is_shared:
        require(actor, SHARED_VIEWS_PERMISSION)
        return None
    if actor.agent_id is None:
        raise InvalidInput(_("a personal view needs a signed-in agent"))
    return actor.agent_id


def list_saved_views(session: Session, *, actor: Actor) -> list[SavedView]:
    """The shared views, then the actor's own, each by position and name."""
    require(actor, "tickets.read")
    visible = SavedView.owner_id.is_(None)
    if actor.agent_id is not None:
        visible = or_(visible, SavedView.owner_id == actor.agent_id)
    views = list(session.scalars(select(SavedView).where(visible)))
    return sorted(views, key=lambda v: (v.owner_id is not None, v.position, v.name, v.id))


def get_saved_view(session: Session, *, actor: Actor, view_id: int) -> SavedView:
    """A shared view or one of the actor's own; someone else's personal view is not found."""
    require(actor, "tickets.read")
    view = session.get(SavedView, view_id)
    if view is None or (view.owner_id is not None and view.owner_id != actor.agent_id):
        raise NotFound(_("view %(id)s not found", id=view_id))
    return view


def create_saved_view(
    session: Session, *, actor: Actor, data: SavedViewIn | dict[str, Any]
) -> SavedView:
    require(actor, "tickets.read")
    data = _validated(data)
    owner_id = _owner_for(actor, is_shared=data.is_shared)
    _check_filters(session, data)
    _check_name_free(session, name=data.name, owner_id=owner_id)
    mine = SavedView.owner_id.is_(None) if owner_id is None else SavedView.owner_id == owner_id
    if (session.scalar(select(func.count()).where(mine)) or 0) >= MAX_SAVED_VIEWS:
        raise InvalidInput(_("at most %(count)s views; delete one first", count=MAX_SAVED_VIEWS))
    view = SavedView(
        name=data.name,
        owner_id=owner_id,
        filters=data.filters.model_dump(mode="json", exclude_defaults=True),
        sort=data.sort,
        position=data.position,
    )
    session.add(view)
    session.flush()
    return view


def _require_may_change(actor: Actor, view: SavedView) -> None:
    if view.owner_id is None and not can(actor, SHARED_VIEWS_PERMISSION):
        raise PermissionDenied(_("only team leads and admins change shared views"))


def update_saved_view(
    session: Session, *, actor: Actor, view_id: int, data: SavedViewIn | dict[str, Any]
) -> SavedView:
    """Replace a view's name, filters, sort and sharing (a personal view may become shared by
    someone allowed to share, and then belongs to nobody)."""
    view = get_saved_view(session, actor=actor, view_id=view_id)
    _require_may_change(actor, view)
    data = _validated(data)
    owner_id = _owner_for(actor, is_shared=data.is_shared)
    _check_filters(session, data)
    _check_name_free(session, name=data.name, owner_id=owner_id, except_id=view.id)
    view.name = data.name
    view.owner_id = owner_id
    view.filters = data.filters.model_dump(mode="json", exclude_defaults=True)
    view.sort = data.sort
    view.position = data.position
    session.flush()
    return view


def delete_saved_view(session: Session, *, actor: Actor, view_id: int) -> None:
    view = get_saved_view(session, actor=actor, view_id=view_id)
    _require_may_change(actor, view)
    session.delete(view)
    session.flush()


def _resolve(
    session: Session, *, actor: Actor, view: str | int, now: datetime
) -> tuple[TicketFilter, str]:
    if isinstance(view, str) and not view.isdigit():
        built_in = BUILT_IN.get(view)
        if built_in is None:
            raise NotFound(_("no view named %(view)s", view=view))
        if not can(actor, built_in.permission):
            raise PermissionDenied(_("only administrators see deleted tickets"))
        return built_in_filter(view, now=now), built_in.sort
    saved = get_saved_view(session, actor=actor, view_id=int(view))
    sort = saved.sort if saved.sort in SORTS else "updated_desc"
    return saved_view_filter(saved), sort


def list_view(
    session: Session,
    *,
    actor: Actor,
    view: str | int,
    cursor: str | None = None,
    limit: int = 50,
    sort: str | None = None,
    now: datetime | None = None,
) -> TicketPage:
    """A page of a view: a built-in key ("my_open", "unassigned", "all_open", "pending",
    "on_hold", "solved", "urgent", "deleted") or a saved view's id. `sort` overrides the
    view's own; `next_cursor` continues the same view and sort."""
    require(actor, "tickets.read")
    now = now or utcnow()
    spec, view_sort = _resolve(session, actor=actor, view=view, now=now)
    return ticket_page(
        session,
        actor=actor,
        spec=spec,
        sort=sort or view_sort,
        cursor=cursor,
        limit=limit,
        now=now,
    )


def view_counts(
    session: Session, *, actor: Actor, now: datetime | None = None
) -> dict[str | int, int]:
    """Live counts for the sidebar: each built-in view the actor may open (by key) and each
    saved view they see (by id).

    Counts stop at COUNT_CAP + 1 (10,001): show any count above COUNT_CAP as "10k+"
    (`format_count`). Built-in views count along the tickets indexes (status, assignee), so
    each costs at most ~10k index entries however large the shop; a saved view filtering on
    something no index covers (a custom field, a tag) can cost a scan of the tickets it
    narrows to."""
    require(actor, "tickets.read")
    now = now or utcnow()
    counts: dict[str | int, int] = {}
    for built_in in BUILT_IN_VIEWS:
        if not can(actor, built_in.permission) or (built_in.needs_agent and not actor.agent_id):
            continue
        spec = built_in_filter(built_in.key, now=now)
        counts[built_in.key] = capped_count(session, actor=actor, spec=spec, now=now)
    for saved in list_saved_views(session, actor=actor):
        try:
            spec = saved_view_filter(saved)
            counts[saved.id] = capped_count(session, actor=actor, spec=spec, now=now)
        except InvalidInput:
            continue  # a view whose custom field was removed: shown without a count
    return counts


def format_count(count: int) -> str:
    """ "10k+" past the cap, the number otherwise."""
    return f"{COUNT_CAP // 1000}k+" if count > COUNT_CAP else str(count)
