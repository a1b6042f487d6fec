"""The managers' SLA pages: policies in order and business-hours schedules, each edited on
its own form; a refused form comes back as typed, with the reason."""

from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.commerce import stores
from kefu.errors import KefuError, refusal_message
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.sla import business_hours, forms, policies
from kefu.sla.checks import METRIC_LABELS
from kefu.tickets.schemas import CHANNEL_LABELS, PRIORITY_LABELS, TYPE_LABELS
from kefu.web import forms as web_forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render

router = APIRouter()
MANAGE = "rules.manage"
HOME = "/admin/sla"
TIME_ZONES = sorted(available_timezones())


def _start(request: Request, actor: Actor) -> None:
    i18n.current_language.set(language_for(request))
    require(actor, MANAGE)


def _choices(session: Session, actor: Actor) -> dict[str, Any]:
    return {
        "teams": accounts.list_teams(session, actor=actor),
        "stores": stores.list_stores(session),
        "metric_labels": {k: i18n.gettext(v) for k, v in METRIC_LABELS.items()},
        "priority_labels": {k: i18n.gettext(PRIORITY_LABELS[k]) for k in forms.PRIORITIES},
        "channel_labels": {k: i18n.gettext(v) for k, v in CHANNEL_LABELS.items()},
        "type_labels": {k: i18n.gettext(v) for k, v in TYPE_LABELS.items()},
        "weekdays": [i18n.gettext(day) for day in forms.WEEKDAYS],
        "time_zones": TIME_ZONES,
    }


@router.get(HOME, response_class=HTMLResponse)
def sla_home(request: Request, session: DbSession, actor: PageActor) -> Response:
    _start(request, actor)
    teams, shops = business_hours.assignments(session)
    context = {
        "policies": policies.list_policies(session),
        "schedules": business_hours.list_schedules(session),
        "schedule_teams": teams,
        "schedule_stores": shops,
        **_choices(session, actor),
    }
    return render(request, "sla/sla_home.html", context)


def _policy_page(
    request: Request, session: Session, actor: Actor, *, policy_id: int | None, values: Any,
    error: str | None = None,
) -> Response:  # fmt: skip
    context = {"policy_id": policy_id, "v": values, "error": error, **_choices(session, actor)}
    return render(request, "sla/policy_form.html", context, status=422 if error else 200)


@router.get(HOME + "/policies/new", response_class=HTMLResponse)
def new_policy(request: Request, session: DbSession, actor: PageActor) -> Response:
    _start(request, actor)
    values = forms.policy_form_values(None)
    return _policy_page(request, session, actor, policy_id=None, values=values)


@router.get(HOME + "/policies/{policy_id}", response_class=HTMLResponse)
def edit_policy(request: Request, session: DbSession, actor: PageActor, policy_id: int) -> Response:
    _start(request, actor)
    policy = policies.policy_read(policies.get_policy(session, policy_id))
    values = forms.policy_form_values(policy)
    return _policy_page(request, session, actor, policy_id=policy_id, values=values)


@router.post(HOME + "/policies", dependencies=[CsrfProtected])
@router.post(HOME + "/policies/{policy_id}", dependencies=[CsrfProtected])
def save_policy(
    request: Request,
    session: DbSession,
    actor: PageActor,
    form: web_forms.Form,
    policy_id: int | None = None,
) -> Response:
    _start(request, actor)
    try:
        with session.begin_nested():
            data = forms.policy_in(form)
            if policy_id is None:
                policies.create_policy(session, actor=actor, data=data)
            else:
                policies.update_policy(session, actor=actor, policy_id=policy_id, data=data)
    except (ValidationError, KefuError) as exc:
        values = forms.policy_values(form)
        return _policy_page(
            request, session, actor, policy_id=policy_id, values=values,
            error=refusal_message(exc),
        )  # fmt: skip
    return redirect(HOME, i18n.gettext("SLA policy saved."))


@router.post(HOME + "/policies/{policy_id}/delete", dependencies=[CsrfProtected])
def delete_policy(
    request: Request, session: DbSession, actor: PageActor, policy_id: int
) -> Response:
    _start(request, actor)
    try:
        with session.begin_nested():
            policies.delete_policy(session, actor=actor, policy_id=policy_id)
    except KefuError as exc:
        return redirect(HOME, refusal_message(exc), "error")
    return redirect(HOME, i18n.gettext("SLA policy deleted."))


@router.post(HOME + "/policies/{policy_id}/move", dependencies=[CsrfProtected])
def move_policy(
    request: Request, session: DbSession, actor: PageActor, policy_id: int, form: web_forms.Form
) -> Response:
    _start(request, actor)
    offset = -1 if web_forms.text(form, "direction") == "up" else 1
    try:
        with session.begin_nested():
            policies.move_policy(session, actor=actor, policy_id=policy_id, offset=offset)
    except KefuError as exc:
        return redirect(HOME, refusal_message(exc), "error")
    return redirect(HOME)


def _schedule_page(
    request: Request, session: Session, actor: Actor, *, schedule_id: int | None, values: Any,
    error: str | None = None,
) -> Response:  # fmt: skip
    context = {"schedule_id": schedule_id, "v": values, "error": error, **_choices(session, actor)}
    return render(request, "sla/schedule_form.html", context, status=422 if error else 200)


@router.get(HOME + "/schedules/new", response_class=HTMLResponse)
def new_schedule(request: Request, session: DbSession, actor: PageActor) -> Response:
    _start(request, actor)
    zone = request.app.state.runtime.settings.time_zone
    values = forms.schedule_form_values(None, time_zone=zone)
    return _schedule_page(request, session, actor, schedule_id=None, values=values)


@router.get(HOME + "/schedules/{schedule_id}", response_class=HTMLResponse)
def edit_schedule(
    request: Request, session: DbSession, actor: PageActor, schedule_id: int
) -> Response:
    _start(request, actor)
    schedule = business_hours.schedule_read(
        session, business_hours.get_schedule(session, schedule_id)
    )
    values = forms.schedule_form_values(schedule, time_zone=schedule.time_zone)
    return _schedule_page(request, session, actor, schedule_id=schedule_id, values=values)


@router.post(HOME + "/schedules", dependencies=[CsrfProtected])
@router.post(HOME + "/schedules/{schedule_id}", dependencies=[CsrfProtected])
def save_schedule(
    request: Request,
    session: DbSession,
    actor: PageActor,
    form: web_forms.Form,
    schedule_id: int | None = None,
) -> Response:
    _start(request, actor)
    try:
        with session.begin_nested():
            data = forms.schedule_in(form)
            if schedule_id is None:
                business_hours.create_schedule(session, actor=actor, data=data)
            else:
                business_hours.update_schedule(
                    session, actor=actor, schedule_id=schedule_id, data=data
                )
    except (ValidationError, KefuError, ValueError) as exc:
        return _schedule_page(
            request, session, actor, schedule_id=schedule_id,
            values=forms.schedule_form_echo(form), error=refusal_message(exc),
        )  # fmt: skip
    return redirect(HOME, i18n.gettext("Business hours saved."))


@router.post(HOME + "/schedules/{schedule_id}/delete", dependencies=[CsrfProtected])
def delete_schedule(
    request: Request, session: DbSession, actor: PageActor, schedule_id: int
) -> Response:
    _start(request, actor)
    try:
        with session.begin_nested():
            business_hours.delete_schedule(session, actor=actor, schedule_id=schedule_id)
    except KefuError as exc:
        return redirect(HOME, refusal_message(exc), "error")
    return redirect(HOME, i18n.gettext("Business hours deleted."))
