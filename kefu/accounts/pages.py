"""Sign-in, first-run set-up, password reset, agents admin and API tokens pages."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.accounts import auth, service
from kefu.accounts.models import Agent
from kefu.accounts.schemas import AgentCreate
from kefu.config import secret_key
from kefu.errors import KefuError, Throttled, describe_validation
from kefu.kit.i18n import gettext as _
from kefu.web.deps import SESSION_COOKIE, CsrfProtected, DbSession, OptionalAgent, PageActor
from kefu.web.pages import safe_next
from kefu.web.templating import render

router = APIRouter()


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _signed_in(request: Request, session: Session, agent: Agent, *, target: str) -> Response:
    """Start a sign-in session and send the browser on with its cookie."""
    settings = request.app.state.runtime.settings
    started = auth.start_session(
        session,
        agent=agent,
        days=settings.session_days,
        ip=_client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        started.token,
        httponly=True,
        samesite="lax",
        secure=settings.uses_secure_cookies,
        expires=started.expires_at,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, session: DbSession, agent: OptionalAgent, next: str | None = None
) -> Response:
    if agent is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    if service.agent_count(session) == 0:
        return RedirectResponse("/setup", status_code=303)
    return render(request, "accounts/login.html", {"next": safe_next(next), "email": ""})


@router.post("/login", dependencies=[CsrfProtected])
def login(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    throttle = request.app.state.signin_throttle
    ip = _client_ip(request)
    context = {"next": safe_next(next), "email": email}
    try:
        throttle.check(email=email, ip=ip)
    except Throttled as exc:
        message = _(
            "Too many failed sign-in attempts. Try again in %(seconds)s seconds.",
            seconds=exc.retry_after_seconds,
        )
        response = render(request, "accounts/login.html", {**context, "error": message}, status=429)
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    agent = auth.authenticate(session, email=email, password=password, ip=ip)
    if agent is None:
        throttle.failed(email=email, ip=ip)
        return render(
            request,
            "accounts/login.html",
            {**context, "error": _("Wrong email or password.")},
            status=401,
        )
    return _signed_in(request, session, agent, target=safe_next(next))


@router.post("/logout", dependencies=[CsrfProtected])
def logout(request: Request, session: DbSession) -> Response:
    auth.end_session(session, token=request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/setup", response_class=HTMLResponse)
def setup_form(request: Request, session: DbSession) -> Response:
    if service.agent_count(session) > 0:
        return RedirectResponse("/login", status_code=303)
    return render(request, "accounts/setup.html", {"name": "", "email": ""})


@router.post("/setup", dependencies=[CsrfProtected])
def setup(
    request: Request,
    session: DbSession,
    name: Annotated[str, Form(max_length=200)],
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    context = {"name": name, "email": email}
    try:
        data = AgentCreate(name=name, email=email, password=password, role="admin")
        agent = service.create_first_admin(session, data=data)
    except ValidationError as exc:
        return render(
            request,
            "accounts/setup.html",
            {**context, "error": describe_validation(exc.errors())},
            status=422,
        )
    except KefuError as exc:
        return render(
            request, "accounts/setup.html", {**context, "error": exc.message}, status=exc.status
        )
    return _signed_in(request, session, agent, target="/")


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_form(request: Request) -> Response:
    return render(request, "accounts/forgot.html", {"email": ""})


@router.post("/password/forgot", dependencies=[CsrfProtected])
def forgot(
    request: Request, session: DbSession, email: Annotated[str, Form(max_length=320)]
) -> Response:
    auth.request_password_reset(session, email=email)
    notice = _(
        "If an account exists for %(email)s, we have sent it a link to reset the "
        "password. The link works for one hour.",
        email=email,
    )
    return render(request, "accounts/forgot.html", {"email": email, "notice": notice})


@router.get("/password/reset/{token}", response_class=HTMLResponse)
def reset_form(request: Request, session: DbSession, token: str) -> Response:
    secret = secret_key(request.app.state.runtime.settings)
    try:
        auth.check_reset_token(session, secret=secret, token=token)
    except KefuError:
        return render(
            request,
            "accounts/forgot.html",
            {
                "email": "",
                "error": _("This reset link is invalid or has expired. Ask for a new one."),
            },
            status=400,
        )
    return render(request, "accounts/reset.html", {"token": token})


@router.post("/password/reset/{token}", dependencies=[CsrfProtected])
def reset(
    request: Request, session: DbSession, token: str, password: Annotated[str, Form(max_length=200)]
) -> Response:
    secret = secret_key(request.app.state.runtime.settings)
    try:
        auth.reset_password(session, secret=secret, token=token, new_password=password)
    except KefuError as exc:
        return render(
            request,
            "accounts/reset.html",
            {"token": token, "error": exc.message},
            status=exc.status,
        )
    return render(
        request,
        "accounts/login.html",
        {
            "next": "/",
            "email": "",
            "notice": _("Your password was changed. Sign in with the new one."),
        },
    )


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    tokens = auth.list_api_tokens(session, actor=actor)
    return render(request, "accounts/tokens.html", {"tokens": tokens})


@router.post("/account/tokens", dependencies=[CsrfProtected])
def create_token(
    request: Request,
    session: DbSession,
    actor: PageActor,
    name: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    token, raw = auth.create_api_token(session, actor=actor, name=name)
    tokens = auth.list_api_tokens(session, actor=actor)
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": tokens, "new_token": raw, "new_token_name": token.name},
    )


@router.post("/account/tokens/{token_id}/revoke", dependencies=[CsrfProtected])
def revoke_token(session: DbSession, actor: PageActor, token_id: int) -> Response:
    auth.revoke_api_token(session, actor=actor, token_id=token_id)
    return RedirectResponse("/account/tokens", status_code=303)
