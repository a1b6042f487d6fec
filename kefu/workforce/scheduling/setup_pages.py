"""The manager's workforce hub and roster set-up: shift templates, labour rules and agents'
work profiles, each on its own form; a refused form comes back as typed, with the reason."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.errors import KefuError, refusal_message
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.web import forms as web_forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render
from kefu.workforce.scheduling import forms, requests, rosters, setup
from kefu.workforce.scheduling.queues import all_queues
from kefu.workforce.scheduling.schemas import BREAK_LABELS, LabourRulesIn

router = APIRouter()
HUB = "/workforce"
SETUP = "/workforce/setup"
WEEKDAYS = (
    i18n.N_("Monday"),
    i18n.N_("Tuesday"),
    i18n.N_("Wednesday"),
    i18n.N_("Thursday"),
    i18n.N_("Friday"),
    i18n.N_("Saturday"),
    i18n.N_("Sunday"),
)


def start(request: Request, actor: Actor, permission: str | None = setup.MANAGE) -> None:
    i18n.current_language.set(language_for(request))
    if permission:
        require(actor, permission)


def weekday_names() -> list[str]:
    return [i18n.gettext(day) for day in WEEKDAYS]


@router.get(HUB, response_class=HTMLResponse)
def hub(request: Request, session: DbSession, actor: PageActor) -> Response:
    start(request, actor)
    context = {
        "rosters": rosters.list_rosters(session)[:5],
        "pending_time_off": len(requests.time_off_requests(session, pending_only=True)),
        "pending_swaps": len(requests.swap_requests(session, pending_only=True)),
        "queues": all_queues(session),
    }
    return render(request, "scheduling/hub.html", context)


@router.get(SETUP, response_class=HTMLResponse)
def setup_home(request: Request, session: DbSession, actor: PageActor) -> Response:
    start(request, actor)
    context = {
        "templates": setup.list_templates(session),
        "rules": setup.list_rules(session),
        "agents": accounts.list_agents(session, actor=actor, include_inactive=False),
        "profiles": setup.work_profiles(session),
        "queue_names": {q.id: q.name for q in all_queues(session)},
        "hhmm": forms.hhmm,
    }
    return render(request, "scheduling/setup.html", context)


def _template_page(
    request: Request, *, template_id: int | None, values: dict[str, Any], error: str | None = None
) -> Response:
    context = {
        "template_id": template_id,
        "v": values,
        "error": error,
        "break_labels": {k.value: i18n.gettext(v) for k, v in BREAK_LABELS.items()},
        "weekdays": weekday_names(),
    }
    return render(request, "scheduling/template_form.html", context, status=422 if error else 200)


@router.get(SETUP + "/templates/new", response_class=HTMLResponse)
def new_template(request: Request, actor: PageActor) -> Response:
    start(request, actor)
    return _template_page(request, template_id=None, values=forms.template_values(None))


@router.get(SETUP + "/templates/{template_id}", response_class=HTMLResponse)
def edit_template(
    request: Request, session: DbSession, actor: PageActor, template_id: int
) -> Response:
    start(request, actor)
    template = setup.get_template(session, template_id)
    return _template_page(request, template_id=template_id, values=forms.template_values(template))


@router.post(SETUP + "/templates", dependencies=[CsrfProtected])
@router.post(SETUP + "/templates/{template_id}", dependencies=[CsrfProtected])
def save_template(
    request: Request,
    session: DbSession,
    actor: PageActor,
    form: web_forms.Form,
    template_id: int | None = None,
) -> Response:
    start(request, actor)
    try:
        with session.begin_nested():
            data = forms.template_in(form)
            setup.save_template(session, actor=actor, data=data, template_id=template_id)
    except (ValidationError, KefuError) as exc:
        return _template_page(
            request,
            template_id=template_id,
            values=forms.template_values(None, form),
            error=refusal_message(exc),
        )
    return redirect(SETUP, i18n.gettext("Shift template saved."))


@router.post(SETUP + "/templates/{template_id}/delete", dependencies=[CsrfProtected])
def delete_template(
    request: Request, session: DbSession, actor: PageActor, template_id: int
) -> Response:
    start(request, actor)
    setup.delete_template(session, actor=actor, template_id=template_id)
    return redirect(SETUP, i18n.gettext("Shift template deleted."))


def _rules_page(
    request: Request, *, rules_id: int | None, values: Any, error: str | None = None
) -> Response:
    context = {"rules_id": rules_id, "v": values, "error": error}
    return render(request, "scheduling/rules_form.html", context, status=422 if error else 200)


@router.get(SETUP + "/rules/new", response_class=HTMLResponse)
def new_rules(request: Request, actor: PageActor) -> Response:
    start(request, actor)
    values = LabourRulesIn(name=i18n.gettext("Main site"))
    return _rules_page(request, rules_id=None, values=values)


@router.get(SETUP + "/rules/{rules_id}", response_class=HTMLResponse)
def edit_rules(request: Request, session: DbSession, actor: PageActor, rules_id: int) -> Response:
    start(request, actor)
    return _rules_page(request, rules_id=rules_id, values=setup.get_rules(session, rules_id))


@router.post(SETUP + "/rules", dependencies=[CsrfProtected])
@router.post(SETUP + "/rules/{rules_id}", dependencies=[CsrfProtected])
def save_rules(
    request: Request,
    session: DbSession,
    actor: PageActor,
    form: web_forms.Form,
    rules_id: int | None = None,
) -> Response:
    start(request, actor)
    try:
        with session.begin_nested():
            setup.save_rules(session, actor=actor, data=forms.rules_in(form), rules_id=rules_id)
    except (ValidationError, KefuError) as exc:
        values = {k: web_forms.text(form, k) for k in LabourRulesIn.model_fields}
        return _rules_page(request, rules_id=rules_id, values=values, error=refusal_message(exc))
    return redirect(SETUP, i18n.gettext("Labour rules saved."))


def _profile_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    agent_id: int,
    values: dict[str, Any],
    error: str | None = None,
) -> Response:
    context = {
        "agent": accounts.get_agent(session, agent_id),
        "v": values,
        "error": error,
        "queues": all_queues(session),
        "templates": setup.list_templates(session),
        "weekdays": weekday_names(),
    }
    return render(request, "scheduling/profile_form.html", context, status=422 if error else 200)


def _profile_values(profile: Any) -> dict[str, Any]:
    return {
        "queue_ids": profile.queue_ids if profile else [],
        "min_hours_week": profile.min_hours_week if profile else 0,
        "max_hours_week": profile.max_hours_week if profile else 40,
        "days": forms.availability_text(profile),
        "preferred_template_ids": profile.preferred_template_ids if profile else [],
        "forbidden_template_ids": profile.forbidden_template_ids if profile else [],
        "preferred_days_off": profile.preferred_days_off if profile else [],
        "forbidden_days": profile.forbidden_days if profile else [],
        "is_scheduled": profile.is_scheduled if profile else True,
    }


@router.get(SETUP + "/agents/{agent_id}", response_class=HTMLResponse)
def edit_profile(request: Request, session: DbSession, actor: PageActor, agent_id: int) -> Response:
    start(request, actor)
    values = _profile_values(setup.work_profile(session, agent_id))
    return _profile_page(request, session, actor, agent_id=agent_id, values=values)


@router.post(SETUP + "/agents/{agent_id}", dependencies=[CsrfProtected])
def save_profile(
    request: Request, session: DbSession, actor: PageActor, form: web_forms.Form, agent_id: int
) -> Response:
    start(request, actor)
    try:
        with session.begin_nested():
            data = forms.profile_in(form)
            setup.save_work_profile(session, actor=actor, agent_id=agent_id, data=data)
    except (ValidationError, KefuError) as exc:
        values = {
            "queue_ids": web_forms.ints(form, "queue_ids"),
            "min_hours_week": web_forms.text(form, "min_hours_week"),
            "max_hours_week": web_forms.text(form, "max_hours_week"),
            "days": [web_forms.text(form, f"day.{d}") for d in range(7)],
            "preferred_template_ids": web_forms.ints(form, "preferred_template_ids"),
            "forbidden_template_ids": web_forms.ints(form, "forbidden_template_ids"),
            "preferred_days_off": web_forms.ints(form, "preferred_days_off"),
            "forbidden_days": web_forms.ints(form, "forbidden_days"),
            "is_scheduled": web_forms.text(form, "is_scheduled") == "1",
        }
        return _profile_page(
            request, session, actor, agent_id=agent_id, values=values, error=refusal_message(exc)
        )
    return redirect(SETUP, i18n.gettext("Work profile saved."))
