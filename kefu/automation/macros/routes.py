"""Macros JSON API under /api/v1: find, read, write and delete macros; apply one to a ticket."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response, status

from kefu.api.params import TicketId
from kefu.api.routing import NOT_FOUND, api_router
from kefu.automation.macros import service
from kefu.automation.macros.render import preview_macro
from kefu.automation.macros.schemas import (
    MacroApply,
    MacroCreate,
    MacroRead,
    MacroUpdate,
    RenderedRead,
)
from kefu.kit.bounds import INT4_MAX
from kefu.web.deps import ApiActor, DbSession

router = api_router("macros")
MacroId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the macro's id", examples=[1])]


@router.get("/macros", response_model=list[MacroRead])
def list_macros(
    session: DbSession,
    actor: ApiActor,
    q: Annotated[str, Query(max_length=200, description="words in the name, folder or text")] = "",
    folder: Annotated[str | None, Query(max_length=200, examples=["Shipping"])] = None,
    include_inactive: bool = False,
) -> list[MacroRead]:
    """The shared macros and your personal ones, by folder and name (at most 200)."""
    found = service.list_macros(
        session, actor=actor, query=q, folder=folder, include_inactive=include_inactive
    )
    return [MacroRead.model_validate(m) for m in found]


@router.get("/macros/{macro_id}", response_model=MacroRead, responses=NOT_FOUND)
def get_macro(macro_id: MacroId, session: DbSession, actor: ApiActor) -> MacroRead:
    return MacroRead.model_validate(service.read_macro(session, actor=actor, macro_id=macro_id))


@router.post("/macros", response_model=MacroRead, status_code=status.HTTP_201_CREATED)
def create_macro(data: MacroCreate, session: DbSession, actor: ApiActor) -> MacroRead:
    """A shared macro ("macros.manage") or, with `personal`, your own. Every text is checked
    as a template and every action as a ticket change: a wrong one is a 422 with the reason
    and line, and nothing is saved."""
    return MacroRead.model_validate(service.create_macro(session, actor=actor, data=data))


@router.patch("/macros/{macro_id}", response_model=MacroRead, responses=NOT_FOUND)
def update_macro(
    macro_id: MacroId, data: MacroUpdate, session: DbSession, actor: ApiActor
) -> MacroRead:
    """Change what is sent; `bodies`, when sent, replaces every language's text."""
    macro = service.update_macro(session, actor=actor, macro_id=macro_id, data=data)
    return MacroRead.model_validate(macro)


@router.delete("/macros/{macro_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_macro(macro_id: MacroId, session: DbSession, actor: ApiActor) -> Response:
    service.delete_macro(session, actor=actor, macro_id=macro_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/tickets/{ticket_id}/macros/{macro_id}/apply",
    response_model=RenderedRead,
    responses=NOT_FOUND,
)
def apply_macro(
    ticket_id: TicketId,
    macro_id: MacroId,
    data: MacroApply,
    session: DbSession,
    actor: ApiActor,
) -> RenderedRead:
    """The macro's text filled in for the ticket (in `language`, else the customer's), to
    post as a message yourself. With `apply_actions` its ticket changes are made now and one
    use is counted. Values the ticket lacks are listed in `missing` and show as
    `[order.number]` in the text."""
    rendered = preview_macro(
        session,
        actor=actor,
        macro_id=macro_id,
        ticket_id=ticket_id,
        language=data.language,
        apply_actions=data.apply_actions,
    )
    return RenderedRead(
        macro_id=rendered.macro_id,
        kind=rendered.kind,  # type: ignore[arg-type]
        language=rendered.language,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        missing=rendered.missing,
        actions=[change.model_dump(mode="json") for change in rendered.changes],
        actions_applied=data.apply_actions,
    )
