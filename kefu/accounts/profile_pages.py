"""An agent's own profile: the name customers see and the signature under email replies."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from kefu.accounts import service
from kefu.accounts.schemas import AgentUpdate
from kefu.errors import KefuError, refusal_message
from kefu.kit.i18n import gettext as _
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render

router = APIRouter()


@router.get("/account/profile", response_class=HTMLResponse)
def profile_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    agent = service.get_agent(session, actor.agent_id or 0)
    form = {"name": agent.name, "signature": agent.signature}
    return render(request, "accounts/profile.html", {"form": form})


@router.post("/account/profile", dependencies=[CsrfProtected])
def save_profile(
    request: Request,
    session: DbSession,
    actor: PageActor,
    name: Annotated[str, Form(max_length=200)],
    signature: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = {"name": name, "signature": signature}
    try:
        data = AgentUpdate(name=name.strip(), signature=signature.strip())
        with session.begin_nested():
            service.update_agent(session, actor=actor, agent_id=actor.agent_id or 0, data=data)
    except (ValidationError, KefuError) as exc:
        context = {"form": form, "error": refusal_message(exc)}
        return render(request, "accounts/profile.html", context, status=422)
    return redirect("/account/profile", _("Your profile was saved."))
