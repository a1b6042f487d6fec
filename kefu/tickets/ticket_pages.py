"""The ticket page: conversation, composer, properties side panel, merge, split, delete."""

from datetime import UTC, datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kefu.errors import InvalidInput, KefuError
from kefu.kit.i18n import gettext as _
from kefu.tickets import composer, notifications, service
from kefu.tickets.merge import merge_tickets, split_message
from kefu.tickets.messages import add_message, get_attachment
from kefu.tickets.page_context import (
    message_error,
    side_panel_context,
    status_label,
    ticket_context,
)
from kefu.tickets.schemas import AttachmentIn, MessageCreate, Status, TicketUpdate
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render

router = APIRouter()

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_page(
    request: Request, session: DbSession, actor: PageActor, ticket_id: int, view: str = ""
) -> Response:
    """Opening a ticket also reads its notifications (the bell counts what is still new)."""
    context = ticket_context(request, session, actor, ticket_id, view=view)
    if actor.agent_id is not None:
        notifications.mark_ticket_read(session, actor=actor, ticket_id=ticket_id)
    return render(request, "tickets/ticket.html", context)


def _stored_attachments(request: Request, form: FormData) -> list[AttachmentIn]:
    """Put the uploaded files in the file store first; the message then references them."""
    stored = []
    for upload in forms.files(form, "files"):
        data = upload.file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise InvalidInput(_("%(name)s is larger than 25 MB.", name=upload.filename or ""))
        saved = request.app.state.runtime.files.put(data)
        stored.append(
            AttachmentIn(
                filename=(upload.filename or "file")[-255:],
                content_type=upload.content_type or "application/octet-stream",
                sha256=saved.sha256,
                size=saved.size,
            )
        )
    return stored


@router.post("/tickets/{ticket_id}/messages", dependencies=[CsrfProtected])
def post_message(
    request: Request, session: DbSession, actor: PageActor, ticket_id: int, form: forms.Form
) -> Response:
    """The composer: a reply or note, attachments, mentions and "Submit as <status>"."""
    kind = "note" if forms.text(form, "kind") == "note" else "reply"
    draft = {"kind": kind, "body": forms.text(form, "body")}
    status = forms.text(form, "status") or None
    try:
        data = MessageCreate(
            kind=kind,
            body_text=draft["body"],
            mentions=forms.ints(form, "mentions") if kind == "note" else [],
            attachments=_stored_attachments(request, form),
            status=Status(status) if status else None,
        )
        with session.begin_nested():
            message = add_message(session, actor=actor, ticket_id=ticket_id, data=data)
            composer.message_sent(session, actor, ticket_id, form)
    except (ValidationError, KefuError, ValueError) as exc:
        error = message_error(exc)
        context = ticket_context(request, session, actor, ticket_id, draft=draft, error=error)
        return render(request, "tickets/ticket.html", context, status=422)
    text = _("Note added.") if kind == "note" else _("Reply sent.")
    if data.status is not None:
        text += " " + _("Status: %(status)s.", status=status_label(data.status))
    view = forms.text(form, "view")
    target = f"/tickets/{ticket_id}" + (f"?view={view}" if view else "")
    return redirect(f"{target}#message-{message.id}", text)


def _due_at(raw: str) -> datetime | None:
    """A date from the side panel means "due by the end of that day" (UTC noon keeps the
    calendar date the same for every reader's time zone)."""
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError as exc:
        raise InvalidInput(_("The due date must look like 2026-01-31.")) from exc
    return datetime.combine(day, time(12), tzinfo=UTC)


def update_from_form(session: Session, form: FormData) -> TicketUpdate:
    """The side panel posts every property at once; the service records only real changes."""
    from kefu.tickets.fields import list_fields

    values: dict[str, Any] = {}
    for name in ("status", "priority"):
        if forms.text(form, name):
            values[name] = forms.text(form, name)
    if "type" in form:
        values["type"] = forms.text(form, "type") or None
    for name in ("assignee_id", "team_id"):
        if name in form:
            values[name] = forms.optional_int(form, name)
    if "tags" in form:
        values["tags"] = forms.csv_list(forms.text(form, "tags"))
    if "due_at" in form:
        values["due_at"] = _due_at(forms.text(form, "due_at"))
    if "followers_sent" in form:
        values["follower_ids"] = forms.ints(form, "follower_ids")
    values["fields"] = {
        field.key: forms.text(form, f"field.{field.key}") or None
        for field in list_fields(session)
        if f"field.{field.key}" in form
    }
    return TicketUpdate(**values)


@router.post("/tickets/{ticket_id}/properties", dependencies=[CsrfProtected])
def save_properties(
    request: Request, session: DbSession, actor: PageActor, ticket_id: int, form: forms.Form
) -> Response:
    """The side panel: an HTMX save answers with the panel itself; a plain post redirects."""
    is_htmx = request.headers.get("hx-request") == "true"
    try:
        with session.begin_nested():
            data = update_from_form(session, form)
            service.update_ticket(session, actor=actor, ticket_id=ticket_id, data=data)
    except (ValidationError, KefuError) as exc:
        if not is_htmx:
            return redirect(f"/tickets/{ticket_id}", message_error(exc), "error")
        context = side_panel_context(request, session, actor, ticket_id, error=message_error(exc))
        return render(request, "tickets/_properties.html", context, status=422)
    if not is_htmx:
        return redirect(f"/tickets/{ticket_id}", _("Saved."))
    context = side_panel_context(request, session, actor, ticket_id, saved=True)
    return render(request, "tickets/_properties.html", context)


@router.post("/tickets/{ticket_id}/take", dependencies=[CsrfProtected])
def take_ticket(session: DbSession, actor: PageActor, ticket_id: int) -> Response:
    """ "Take it": assign the ticket to the agent who clicks."""
    try:
        with session.begin_nested():
            service.update_ticket(
                session,
                actor=actor,
                ticket_id=ticket_id,
                data=TicketUpdate(assignee_id=actor.agent_id),
            )
    except KefuError as exc:
        return redirect(f"/tickets/{ticket_id}", exc.message, "error")
    return redirect(f"/tickets/{ticket_id}", _("The ticket is yours."))


@router.post("/tickets/{ticket_id}/merge", dependencies=[CsrfProtected])
def merge_into(session: DbSession, actor: PageActor, ticket_id: int, form: forms.Form) -> Response:
    """Merge this ticket into the one whose number the agent typed (#123 or 123)."""
    raw = forms.text(form, "target").lstrip("#").strip()
    if not raw.isdigit():
        return redirect(
            f"/tickets/{ticket_id}", _("Type the number of the ticket to merge into."), "error"
        )
    target = int(raw)
    try:
        with session.begin_nested():
            merge_tickets(session, actor=actor, target_id=target, source_ids=[ticket_id])
    except KefuError as exc:
        return redirect(f"/tickets/{ticket_id}", exc.message, "error")
    return redirect(
        f"/tickets/{target}", _("Ticket #%(source)s was merged into this one.", source=ticket_id)
    )


@router.post("/tickets/{ticket_id}/messages/{message_id}/split", dependencies=[CsrfProtected])
def split(session: DbSession, actor: PageActor, ticket_id: int, message_id: int) -> Response:
    try:
        with session.begin_nested():
            new = split_message(session, actor=actor, ticket_id=ticket_id, message_id=message_id)
    except KefuError as exc:
        return redirect(f"/tickets/{ticket_id}", exc.message, "error")
    return redirect(f"/tickets/{new.id}", _("Split off from ticket #%(number)s.", number=ticket_id))


@router.post("/tickets/{ticket_id}/delete", dependencies=[CsrfProtected])
def delete(session: DbSession, actor: PageActor, ticket_id: int) -> Response:
    try:
        with session.begin_nested():
            service.delete_ticket(session, actor=actor, ticket_id=ticket_id)
    except KefuError as exc:
        return redirect(f"/tickets/{ticket_id}", exc.message, "error")
    return redirect(
        "/",
        _(
            "Ticket #%(number)s was deleted. Admins can restore it from the Deleted view.",
            number=ticket_id,
        ),
    )


@router.post("/tickets/{ticket_id}/restore", dependencies=[CsrfProtected])
def restore(session: DbSession, actor: PageActor, ticket_id: int) -> Response:
    try:
        with session.begin_nested():
            service.restore_ticket(session, actor=actor, ticket_id=ticket_id)
    except KefuError as exc:
        return redirect(f"/tickets/{ticket_id}", exc.message, "error")
    return redirect(f"/tickets/{ticket_id}", _("Ticket restored."))


@router.get("/attachments/{attachment_id}")
def attachment(
    request: Request, session: DbSession, actor: PageActor, attachment_id: int
) -> Response:
    """The file; only plain raster images open in the browser, everything else downloads
    (an HTML or SVG file from a customer must never run as kefu's page)."""
    found = get_attachment(session, actor=actor, attachment_id=attachment_id)
    path = request.app.state.runtime.files.path(found.sha256)
    inline = found.content_type in INLINE_TYPES
    return FileResponse(
        path,
        media_type=found.content_type if inline else "application/octet-stream",
        filename=found.filename,
        content_disposition_type="inline" if inline else "attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"},
    )
