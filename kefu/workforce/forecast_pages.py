"""The forecast page (/workforce/forecast): a queue's week as a chart with its band,
actuals, events and holidays; the chosen model and its WAPE; events and overrides."""

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.errors import InvalidInput, KefuError, refusal_message
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.web import forms as web_forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render
from kefu.workforce import adjustments, forms, queues
from kefu.workforce.forecast_view import forecast_view
from kefu.workforce.intervals import local_day
from kefu.workforce.runs import run_forecast

router = APIRouter()
MANAGE = "workforce.manage"
HOME = "/workforce/forecast"
MAX_DAYS = 56


def _start(request: Request, actor: Actor) -> None:
    i18n.current_language.set(language_for(request))
    require(actor, MANAGE)


def _page(
    request: Request, session: Session, *, queue_id: int | None, day: str | None, days: int,
    error: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    all_queues = queues.list_queues(session)
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(i18n.gettext("Show 1 to %(days)s days.", days=MAX_DAYS))
    view = None
    if queue_id is None and all_queues:
        queue_id = all_queues[0].id
    if queue_id is not None:
        now = request.app.state.runtime.clock()
        queue = queues.get_queue(session, queue_id)
        first = forms.day_or(day, local_day(now, queue.time_zone))
        view = forecast_view(session, queue_id=queue_id, first_day=first, days=days, now=now)
    context = {"queues": all_queues, "view": view, "error": error, "days": days}
    if view is not None:
        context["prev_day"] = (view.first_day - timedelta(days=days)).isoformat()
        context["next_day"] = (view.first_day + timedelta(days=days)).isoformat()
    return render(request, "workforce/forecast.html", context, status=status)


@router.get(HOME, response_class=HTMLResponse)
def forecast_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    queue_id: int | None = None,
    day: str | None = None,
    days: int = 7,
) -> Response:
    _start(request, actor)
    return _page(request, session, queue_id=queue_id, day=day, days=days)


def _back(queue_id: int, form: web_forms.FormData | None = None) -> str:
    day = web_forms.text(form, "day") if form is not None else ""
    return f"{HOME}?queue_id={queue_id}" + (f"&day={day}" if day else "")


@router.post(HOME + "/{queue_id}/run", dependencies=[CsrfProtected])
def run_now(
    request: Request, session: DbSession, actor: PageActor, queue_id: int, form: web_forms.Form
) -> Response:
    _start(request, actor)
    try:
        with session.begin_nested():
            run = run_forecast(session, queue_id=queue_id, now=request.app.state.runtime.clock())
    except KefuError as exc:
        return _page(
            request, session, queue_id=queue_id, day=None, days=7,
            error=refusal_message(exc), status=exc.status,
        )  # fmt: skip
    wape = "—" if run.wape is None else f"{run.wape:.1%}"
    message = i18n.gettext("Forecast with %(model)s (backtest WAPE %(wape)s).", model=run.model,
                           wape=wape)  # fmt: skip
    return redirect(_back(queue_id, form), message)


def _refused(
    request: Request, session: Session, queue_id: int, form: web_forms.FormData, exc: Exception
) -> Response:
    status = exc.status if isinstance(exc, KefuError) else 422
    return _page(
        request, session, queue_id=queue_id, day=web_forms.text(form, "day") or None, days=7,
        error=refusal_message(exc), status=status,
    )  # fmt: skip


@router.post(HOME + "/{queue_id}/events", dependencies=[CsrfProtected])
def add_event(
    request: Request, session: DbSession, actor: PageActor, queue_id: int, form: web_forms.Form
) -> Response:
    _start(request, actor)
    queue = queues.get_queue(session, queue_id)
    try:
        with session.begin_nested():
            data = forms.event_in(form, queue_id=queue_id, time_zone=queue.time_zone)
            adjustments.add_event(session, actor=actor, data=data)
    except (ValidationError, KefuError, ValueError) as exc:
        return _refused(request, session, queue_id, form, exc)
    return redirect(_back(queue_id, form), i18n.gettext("Event added."))


@router.post(HOME + "/{queue_id}/events/{event_id}/delete", dependencies=[CsrfProtected])
def delete_event(
    request: Request, session: DbSession, actor: PageActor, queue_id: int, event_id: int,
    form: web_forms.Form,
) -> Response:  # fmt: skip
    _start(request, actor)
    try:
        with session.begin_nested():
            adjustments.delete_event(session, actor=actor, event_id=event_id)
    except KefuError as exc:
        return _refused(request, session, queue_id, form, exc)
    return redirect(_back(queue_id, form), i18n.gettext("Event deleted."))


@router.post(HOME + "/{queue_id}/overrides", dependencies=[CsrfProtected])
def set_override(
    request: Request, session: DbSession, actor: PageActor, queue_id: int, form: web_forms.Form
) -> Response:
    _start(request, actor)
    queue = queues.get_queue(session, queue_id)
    try:
        with session.begin_nested():
            data = forms.override_in(form, time_zone=queue.time_zone)
            adjustments.set_override(session, actor=actor, queue_id=queue_id, data=data)
    except (ValidationError, KefuError, ValueError) as exc:
        return _refused(request, session, queue_id, form, exc)
    return redirect(_back(queue_id, form), i18n.gettext("Override saved."))


@router.post(HOME + "/{queue_id}/overrides/delete", dependencies=[CsrfProtected])
def remove_override(
    request: Request, session: DbSession, actor: PageActor, queue_id: int, form: web_forms.Form
) -> Response:
    _start(request, actor)
    try:
        start_at = datetime.fromisoformat(web_forms.text(form, "start_at"))
        if start_at.tzinfo is None:
            raise ValueError("start_at needs a time zone")
        with session.begin_nested():
            adjustments.remove_override(session, actor=actor, queue_id=queue_id, start_at=start_at)
    except (KefuError, ValueError) as exc:
        return _refused(request, session, queue_id, form, exc)
    return redirect(_back(queue_id, form), i18n.gettext("Override removed."))
