"""Shell pages: home, language switch, health check, API docs."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import text

from kefu.accounts.service import agent_count, set_language
from kefu.config import LANGUAGES
from kefu.errors import InvalidInput
from kefu.web.deps import CsrfProtected, DbSession, OptionalAgent, PageActor
from kefu.web.templating import LANG_COOKIE

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a phishing link borrow our login."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: DbSession, agent: OptionalAgent) -> Response:
    """The start page is the agent's own queue (the inbox's first view)."""
    from kefu.tickets.pages import DEFAULT_VIEW, inbox_page

    if agent is None:
        target = "/setup" if agent_count(session) == 0 else "/login"
        return RedirectResponse(target, status_code=303)
    return inbox_page(request, session, request.state.actor, DEFAULT_VIEW)


@router.post("/language", dependencies=[CsrfProtected])
def switch_language(
    request: Request,
    session: DbSession,
    agent: OptionalAgent,
    language: Annotated[str, Form()],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    if language not in LANGUAGES:
        raise InvalidInput(f"unknown language {language!r}")
    if agent is not None:
        set_language(session, actor=request.state.actor, language=language)
    response = RedirectResponse(safe_next(next), status_code=303)
    settings = request.app.state.runtime.settings
    response.set_cookie(
        LANG_COOKIE,
        language,
        max_age=60 * 60 * 24 * 365,
        samesite="lax",
        secure=settings.uses_secure_cookies,
        httponly=True,
    )
    return response


@router.get("/healthz")
def healthz(request: Request, session: DbSession) -> JSONResponse:
    """Liveness and database reachability, for load balancers and monitoring."""
    try:
        session.execute(text("SELECT 1"))
    except Exception as exc:  # reported, not raised: a health check answers
        return JSONResponse({"status": "error", "database": str(exc)[:200]}, status_code=503)
    runtime = request.app.state.runtime
    return JSONResponse(
        {
            "status": "ok",
            "database": runtime.database.backend,
            "queue": "redis" if runtime.settings.redis_url else "sqlite",
        }
    )


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(_actor: PageActor) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="kefu API",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)
