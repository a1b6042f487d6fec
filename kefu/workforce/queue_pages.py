"""The managers' queue pages (/workforce/queues): each queue's contacts, time zone, holidays
and staffing parameters, and the upload of older history."""

from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from kefu.accounts import service as accounts
from kefu.commerce import stores
from kefu.errors import InvalidInput, KefuError, refusal_message
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.tickets.schemas import CHANNEL_LABELS
from kefu.web import forms as web_forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render
from kefu.workforce import forms, history_import, queues
from kefu.workforce.history_import import MAX_BYTES
from kefu.workforce.schemas import QueueIn

router = APIRouter()
MANAGE = "workforce.manage"
HOME = "/workforce/queues"
TIME_ZONES = sorted(available_timezones())


def _start(request: Request, actor: Actor) -> None:
    i18n.current_language.set(language_for(request))
    require(actor, MANAGE)


def _form_page(
    request: Request, session: Session, actor: Actor, *, queue_id: int | None,
    values: dict[str, Any], error: str | None = None, report: Any = None, status: int = 200,
) -> Response:  # fmt: skip
    context = {
        "queue_id": queue_id,
        "v": values,
        "error": error,
        "report": report,
        "teams": accounts.list_teams(session, actor=actor),
        "stores": stores.list_stores(session),
        "channel_labels": {k: i18n.gettext(v) for k, v in CHANNEL_LABELS.items()},
        "time_zones": TIME_ZONES,
    }
    return render(request, "workforce/queue_form.html", context, status=status)


def _values(queue: Any) -> dict[str, Any]:
    return {
        name: ("" if getattr(queue, name) is None else getattr(queue, name))
        for name in QueueIn.model_fields
    }


@router.get(HOME, response_class=HTMLResponse)
def queue_list(request: Request, session: DbSession, actor: PageActor) -> Response:
    _start(request, actor)
    context = {
        "queues": queues.list_queues(session),
        "channel_labels": {k: i18n.gettext(v) for k, v in CHANNEL_LABELS.items()},
    }
    return render(request, "workforce/queues.html", context)


@router.get(HOME + "/new", response_class=HTMLResponse)
def new_queue(request: Request, session: DbSession, actor: PageActor) -> Response:
    _start(request, actor)
    values = {
        name: "" if field.is_required() or field.default is None else field.default
        for name, field in QueueIn.model_fields.items()
    }
    values["time_zone"] = request.app.state.runtime.settings.time_zone
    return _form_page(request, session, actor, queue_id=None, values=values)


@router.get(HOME + "/{queue_id}", response_class=HTMLResponse)
def edit_queue(request: Request, session: DbSession, actor: PageActor, queue_id: int) -> Response:
    _start(request, actor)
    values = _values(queues.get_queue(session, queue_id))
    return _form_page(request, session, actor, queue_id=queue_id, values=values)


@router.post(HOME, dependencies=[CsrfProtected])
@router.post(HOME + "/{queue_id}", dependencies=[CsrfProtected])
def save_queue(
    request: Request,
    session: DbSession,
    actor: PageActor,
    form: web_forms.Form,
    queue_id: int | None = None,
) -> Response:
    _start(request, actor)
    try:
        with session.begin_nested():
            data = forms.queue_in(form)
            if queue_id is None:
                queue = queues.create_queue(session, actor=actor, data=data)
            else:
                queue = queues.update_queue(session, actor=actor, queue_id=queue_id, data=data)
    except (ValidationError, KefuError) as exc:
        status = exc.status if isinstance(exc, KefuError) else 422
        return _form_page(
            request, session, actor, queue_id=queue_id, values=forms.queue_values(form),
            error=refusal_message(exc), status=status,
        )  # fmt: skip
    return redirect(f"{HOME}/{queue.id}", i18n.gettext("Queue saved."))


@router.post(HOME + "/{queue_id}/history", dependencies=[CsrfProtected])
async def upload_history(
    request: Request, session: DbSession, actor: PageActor, form: web_forms.Form, queue_id: int
) -> Response:
    _start(request, actor)
    values = _values(queues.get_queue(session, queue_id))
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput(i18n.gettext("Choose a CSV file to import."))
        text = history_import.decode_upload(await upload.read(MAX_BYTES + 1))
        with session.begin_nested():
            report = history_import.import_history(
                session,
                actor=actor,
                queue_id=queue_id,
                text=text,
                now=request.app.state.runtime.clock(),
            )
    except KefuError as exc:
        return _form_page(
            request, session, actor, queue_id=queue_id, values=values,
            error=refusal_message(exc), status=exc.status,
        )  # fmt: skip
    nothing = report.rejected and not (report.imported or report.replaced)
    return _form_page(
        request, session, actor, queue_id=queue_id, values=values, report=report,
        status=422 if nothing else 200,
    )  # fmt: skip
