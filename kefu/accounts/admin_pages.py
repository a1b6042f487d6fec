"""Agents and teams administration pages."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.accounts import service
from kefu.accounts.schemas import AgentCreate, AgentUpdate, TeamCreate
from kefu.errors import KefuError, refusal_message
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()


def _message(exc: ValidationError | KefuError) -> str:
    return refusal_message(exc)


@router.get("/admin/agents", response_class=HTMLResponse)
def agents_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, "agents.manage")
    agents = service.list_agents(session, actor=actor)
    return render(request, "accounts/agents.html", {"agents": agents, "form": {}})


@router.post("/admin/agents", dependencies=[CsrfProtected])
def create_agent(
    request: Request,
    session: DbSession,
    actor: PageActor,
    name: Annotated[str, Form(max_length=200)],
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    require(actor, "agents.manage")
    form = {"name": name, "email": email, "role": role}
    try:
        data = AgentCreate(name=name, email=email, role=role, password=password or None)
        with session.begin_nested():
            service.create_agent(session, actor=actor, data=data)
    except (ValidationError, KefuError) as exc:
        agents = service.list_agents(session, actor=actor)
        context = {"agents": agents, "form": form, "error": _message(exc)}
        return render(request, "accounts/agents.html", context, status=422)
    return RedirectResponse("/admin/agents", status_code=303)


@router.get("/admin/agents/{agent_id}", response_class=HTMLResponse)
def edit_agent_page(
    request: Request, session: DbSession, actor: PageActor, agent_id: int
) -> Response:
    require(actor, "agents.manage")
    agent = service.get_agent(session, agent_id)
    return render(request, "accounts/agent_edit.html", {"edited": agent, "form": agent})


@router.post("/admin/agents/{agent_id}", dependencies=[CsrfProtected])
def edit_agent(
    request: Request,
    session: DbSession,
    actor: PageActor,
    agent_id: int,
    name: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form()],
    language: Annotated[str, Form()] = "",
    is_active: Annotated[str | None, Form()] = None,
) -> Response:
    require(actor, "agents.manage")
    form = {"name": name, "role": role, "language": language, "is_active": is_active is not None}
    try:
        data = AgentUpdate(
            name=name, role=role, language=language or None, is_active=is_active is not None
        )
        with session.begin_nested():
            service.update_agent(session, actor=actor, agent_id=agent_id, data=data)
    except (ValidationError, KefuError) as exc:
        agent = service.get_agent(session, agent_id)
        context = {"edited": agent, "form": form, "error": _message(exc)}
        return render(request, "accounts/agent_edit.html", context, status=422)
    return RedirectResponse("/admin/agents", status_code=303)


def _teams_context(session: Session, actor: Actor, **extra: object) -> dict[str, object]:
    return {
        "teams": service.list_teams(session, actor=actor),
        "members": service.members_by_team(session, actor=actor),
        "agents": service.list_agents(session, actor=actor, include_inactive=False),
        **extra,
    }


@router.get("/admin/teams", response_class=HTMLResponse)
def teams_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, "teams.manage")
    return render(request, "accounts/teams.html", _teams_context(session, actor))


@router.post("/admin/teams", dependencies=[CsrfProtected])
def create_team(
    request: Request,
    session: DbSession,
    actor: PageActor,
    name: Annotated[str, Form(max_length=100)],
    description: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        with session.begin_nested():
            service.create_team(
                session, actor=actor, data=TeamCreate(name=name.strip(), description=description)
            )
    except (ValidationError, KefuError) as exc:
        context = _teams_context(session, actor, error=_message(exc), name=name)
        return render(request, "accounts/teams.html", context, status=422)
    return RedirectResponse("/admin/teams", status_code=303)


@router.post("/admin/teams/{team_id}/members", dependencies=[CsrfProtected])
def add_member(
    session: DbSession, actor: PageActor, team_id: int, agent_id: Annotated[int, Form()]
) -> Response:
    service.add_team_member(session, actor=actor, team_id=team_id, agent_id=agent_id)
    return RedirectResponse("/admin/teams", status_code=303)


@router.post("/admin/teams/{team_id}/members/{agent_id}/remove", dependencies=[CsrfProtected])
def remove_member(session: DbSession, actor: PageActor, team_id: int, agent_id: int) -> Response:
    service.remove_team_member(session, actor=actor, team_id=team_id, agent_id=agent_id)
    return RedirectResponse("/admin/teams", status_code=303)
