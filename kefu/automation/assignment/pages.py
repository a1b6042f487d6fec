"""Assignment in the UI: the status switch in the top bar, statuses in the agents list, and
each team's method, capacities and skills at /admin/teams/{id}/assignment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.automation.assignment import service
from kefu.automation.assignment.assign import waiting_reasons, waiting_tickets
from kefu.automation.assignment.schemas import (
    METHOD_LABELS,
    STATUS_LABELS,
    AgentStatusValue,
    Method,
    TeamAssignmentIn,
)
from kefu.errors import InvalidInput, KefuError, refusal_message
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.tickets import queries as ticket_queries
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render

router = APIRouter()


def _labels() -> dict[str, str]:
    return {k.value: _(v) for k, v in STATUS_LABELS.items()}


@router.get("/account/status", response_class=HTMLResponse)
def status_switch(request: Request, session: DbSession, actor: PageActor) -> Response:
    """The top bar's switch (loaded by HTMX on every page)."""
    current = service.status_of(session, actor.agent_id) if actor.agent_id else "offline"
    context = {"current": current, "status_labels": _labels()}
    return render(request, "assignment/_status_switch.html", context)


@router.post("/account/status", dependencies=[CsrfProtected])
def set_status(
    request: Request, session: DbSession, actor: PageActor, form: forms.Form
) -> Response:
    try:
        status = AgentStatusValue(forms.text(form, "status"))
    except ValueError:
        raise InvalidInput(_("Choose online, away or offline.")) from None
    if actor.agent_id is not None:
        service.set_status(session, actor=actor, agent_id=actor.agent_id, status=status)
    if request.headers.get("hx-request") == "true":
        context = {"current": status.value, "status_labels": _labels(), "saved": True}
        return render(request, "assignment/_status_switch.html", context)
    return redirect(
        forms.text(form, "next") or "/", _("Status: %(status)s.", status=_labels()[status])
    )


@router.get("/admin/agent-statuses", response_class=HTMLResponse)
def agent_statuses(request: Request, session: DbSession, actor: PageActor) -> Response:
    """Every agent's status as out-of-band swaps into the agents list's status cells."""
    agents = accounts.list_agents(session, actor=actor)
    statuses = service.statuses_of(session, [a.id for a in agents])
    context = {"statuses": statuses, "status_labels": _labels()}
    return render(request, "assignment/_agent_statuses.html", context)


def _team_context(session: Session, actor: Actor, team_id: int, **extra: Any) -> dict[str, Any]:
    team = accounts.get_team(session, team_id)
    members = accounts.members_by_team(session, actor=actor).get(team_id, [])
    ids = [a.id for a in members]
    waiting = waiting_tickets(session, team_id, limit=50)
    return {
        "team": team,
        "members": members,
        "settings": service.team_settings(session, team_id),
        "statuses": service.statuses_of(session, ids),
        "loads": ticket_queries.open_counts(session, ids),
        "skills": accounts.skills_of(session, ids),
        "waiting": waiting,
        "waiting_reasons": waiting_reasons(session, waiting),
        "method_labels": {k.value: _(v) for k, v in METHOD_LABELS.items()},
        "status_labels": _labels(),
        **extra,
    }


@router.get("/admin/teams/{team_id}/assignment", response_class=HTMLResponse)
def team_assignment_page(
    request: Request, session: DbSession, actor: PageActor, team_id: int
) -> Response:
    require(actor, "teams.manage")
    return render(request, "assignment/team.html", _team_context(session, actor, team_id))


def _optional_number(form: Any, name: str) -> int | None:
    raw = forms.text(form, name)
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput(_("A capacity is a whole number of open tickets, or empty."))
    return int(raw)


@router.post("/admin/teams/{team_id}/assignment", dependencies=[CsrfProtected])
def save_team_assignment(
    request: Request, session: DbSession, actor: PageActor, team_id: int, form: forms.Form
) -> Response:
    require(actor, "teams.manage")
    members = accounts.members_by_team(session, actor=actor).get(team_id, [])
    try:
        data = TeamAssignmentIn(
            method=Method(forms.text(form, "method") or "manual"),
            default_capacity=_optional_number(form, "default_capacity"),
            capacities={a.id: _optional_number(form, f"capacity.{a.id}") for a in members},
        )
        with session.begin_nested():
            service.update_team_assignment(session, actor=actor, team_id=team_id, data=data)
    except (ValidationError, KefuError, ValueError) as exc:
        context = _team_context(session, actor, team_id, error=refusal_message(exc))
        return render(request, "assignment/team.html", context, status=422)
    return redirect(f"/admin/teams/{team_id}/assignment", _("Assignment saved."))


@router.post("/admin/teams/{team_id}/skills", dependencies=[CsrfProtected])
def change_skill(session: DbSession, actor: PageActor, team_id: int, form: forms.Form) -> Response:
    """Give a member a skill ("language:zh") or take one away."""
    require(actor, "teams.manage")
    agent_id = forms.optional_int(form, "agent_id")
    name = forms.text(form, "skill").lower()
    target = f"/admin/teams/{team_id}/assignment"
    if agent_id is None or not name or len(name) > 100:
        return redirect(target, _("Name a skill, e.g. language:zh or vip."), "error")
    with session.begin_nested():
        if forms.text(form, "remove"):
            accounts.remove_agent_skill(session, actor=actor, agent_id=agent_id, name=name)
        else:
            skill = accounts.ensure_skill(session, actor=actor, name=name)
            accounts.set_agent_skill(session, actor=actor, agent_id=agent_id, skill_id=skill.id)
    return redirect(target, _("Skills saved."))
