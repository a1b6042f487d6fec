"""Phone pages: "Log a call" on a ticket, and the phone lines' settings (/admin/phone)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.phone import lines
from kefu.channels.phone.logging_calls import log_call
from kefu.channels.phone.schemas import CallLog, PhoneLineCreate, PhoneLineRead, PhoneLineUpdate
from kefu.errors import InvalidInput, KefuError, refusal_message
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.web import flash
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.forms import Form, text
from kefu.web.templating import render

router = APIRouter()
FIELDS = ("name", "number", "account_sid", "forward_to", "ring_seconds", "voicemail_greeting")


def duration_seconds(value: str) -> int:
    """ "3:07" → 187, "42" → 42 (the timer writes minutes:seconds)."""
    value = value.strip() or "0"
    minutes, _sep, seconds = value.rpartition(":")
    if not seconds.isdigit() or (minutes and not minutes.isdigit()) or len(value) > 9:
        raise InvalidInput(f"the duration is minutes:seconds, like 3:07, not {value!r}")
    return int(minutes or 0) * 60 + int(seconds)


@router.post("/tickets/{ticket_id}/calls", dependencies=[CsrfProtected])
def log_call_from_ticket(
    request: Request, session: DbSession, actor: PageActor, ticket_id: int, form: Form
) -> Response:
    back = f"/tickets/{ticket_id}"
    try:
        data = CallLog.model_validate(
            {
                "direction": text(form, "direction"),
                "number": text(form, "number"),
                "disposition": text(form, "disposition"),
                "notes": text(form, "notes"),
                "duration_seconds": duration_seconds(text(form, "duration")),
                "started_at": text(form, "started_at") or None,
            }
        )
        with session.begin_nested():
            call = log_call(session, actor=actor, ticket_id=ticket_id, data=data, now=_now(request))
    except (ValidationError, KefuError) as exc:
        return flash.redirect(
            back, _("The call was not saved: %(reason)s", reason=refusal_message(exc)), "error"
        )
    return flash.redirect(f"{back}#message-{call.message_id}", _("Call logged."))


def _now(request: Request) -> Any:
    return request.app.state.runtime.clock()


def _base_url(request: Request) -> str:
    return str(request.app.state.runtime.settings.base_url)


def _submitted(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {name: text(form, name) for name in FIELDS}
    if not values["ring_seconds"]:
        del values["ring_seconds"]
    team = text(form, "team_id")
    values["team_id"] = int(team) if team.isdigit() else None
    values["auth_token"] = text(form, "auth_token") or None
    return values


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    form: dict[str, Any],
    line: PhoneLineRead | None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "form": {k: v for k, v in form.items() if k != "auth_token"},
        "line": line,
        "error": error,
        "teams": accounts.list_teams(session, actor=actor),
    }
    return render(request, "phone/line_form.html", context, status=status)


@router.get("/admin/phone", response_class=HTMLResponse)
def phone_lines_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    rows = [
        lines.line_read(line, base_url=_base_url(request))
        for line in lines.list_lines(session, actor=actor)
    ]
    teams = {t.id: t.name for t in accounts.list_teams(session, actor=actor)}
    return render(request, "phone/lines.html", {"lines": rows, "teams": teams})


@router.get("/admin/phone/new", response_class=HTMLResponse)
def new_line_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, lines.PERMISSION)
    return _form_page(request, session, actor, form={"ring_seconds": 20}, line=None)


@router.post("/admin/phone", dependencies=[CsrfProtected])
def create_line(request: Request, session: DbSession, actor: PageActor, form: Form) -> Response:
    require(actor, lines.PERMISSION)
    values = _submitted(form)
    try:
        data = PhoneLineCreate.model_validate(values)
        with session.begin_nested():
            line = lines.create_line(session, actor=actor, data=data)
    except (ValidationError, KefuError) as exc:
        return _form_page(
            request, session, actor, form=values, line=None, error=refusal_message(exc), status=422
        )
    return flash.redirect(
        f"/admin/phone/{line.id}",
        _("Phone line saved. Paste its webhook addresses into your provider."),
    )


@router.get("/admin/phone/{line_id}", response_class=HTMLResponse)
def edit_line_page(
    request: Request, session: DbSession, actor: PageActor, line_id: int
) -> Response:
    require(actor, lines.PERMISSION)
    shown = lines.line_read(lines.get_line(session, line_id), base_url=_base_url(request))
    return _form_page(request, session, actor, form=shown.model_dump(), line=shown)


@router.post("/admin/phone/{line_id}", dependencies=[CsrfProtected])
def update_line(
    request: Request, session: DbSession, actor: PageActor, line_id: int, form: Form
) -> Response:
    require(actor, lines.PERMISSION)
    values = _submitted(form)
    values["is_active"] = text(form, "is_active") == "1"
    try:
        data = PhoneLineUpdate.model_validate(values)
        with session.begin_nested():
            lines.update_line(session, actor=actor, line_id=line_id, data=data)
    except (ValidationError, KefuError) as exc:
        shown = lines.line_read(lines.get_line(session, line_id), base_url=_base_url(request))
        return _form_page(
            request, session, actor, form=values, line=shown, error=refusal_message(exc), status=422
        )
    return flash.redirect(f"/admin/phone/{line_id}", _("Phone line saved."))
