"""The help center's route class and the helpers every public page starts with: the site
from the URL, the language, the visitor cookie, and refusals rendered in the public layout
(a 404 there looks like the brand, not like kefu's agent pages)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from kefu.config import secret_key
from kefu.errors import KefuError, NotFound, Throttled, describe_validation
from kefu.kb.helpcenter import sites
from kefu.kb.helpcenter.render import render_public, set_language
from kefu.kb.helpcenter.schemas import LANGUAGES
from kefu.kb.helpcenter.sites import SiteView
from kefu.kit import i18n

VISITOR_COOKIE = "kefu_hc_visitor"
SITE_STATE = "helpcenter_site"


def site_for(request: Request, session: Session, slug: str, language: str | None) -> SiteView:
    """The enabled site and a language it publishes in; NotFound for anything else."""
    site = sites.public_site(session, slug=slug)
    request.state.helpcenter_site = site
    if language is not None:
        if language not in site.languages:
            raise NotFound("this help center has no pages in that language")
        request.state.helpcenter_language = language
        set_language(language)
    return site


def preferred_language(request: Request, site: SiteView) -> str:
    """The visitor's browser language if the site has it, else the site's first."""
    wanted = i18n.negotiate(request.headers.get("accept-language"), "en")
    for code, catalog in LANGUAGES.items():
        if catalog == wanted and code in site.languages:
            return code
    return site.languages[0]


def visitor_of(request: Request) -> tuple[str, bool]:
    """(the visitor's id, whether the cookie must be set). Without the cookie the id is
    derived from the address and browser, so a client that drops cookies still votes once."""
    cookie = request.cookies.get(VISITOR_COOKIE, "")
    if 20 <= len(cookie) <= 64 and cookie.isalnum():
        return cookie, False
    address = request.client.host if request.client else "-"
    agent = request.headers.get("user-agent", "")
    key = secret_key(request.app.state.runtime.settings)
    derived = hashlib.sha256(f"{key}|{address}|{agent}".encode()).hexdigest()[:40]
    return derived, True


def set_visitor(request: Request, response: Response, visitor: str) -> None:
    response.set_cookie(
        VISITOR_COOKIE,
        visitor,
        max_age=60 * 60 * 24 * 365,
        httponly=True,
        samesite="lax",
        secure=request.app.state.runtime.settings.uses_secure_cookies,
    )


def new_key() -> str:
    return secrets.token_urlsafe(18)


def _refusal(request: Request, status: int, message: str) -> Response:
    site = getattr(request.state, "helpcenter_site", None)
    language = getattr(request.state, "helpcenter_language", None)
    if site is None:
        return Response(
            "Not found" if status == 404 else message,
            status_code=status,
            media_type="text/plain; charset=utf-8",
        )
    return render_public(
        request,
        "helpcenter/error.html",
        site=site,
        language=language or site.languages[0],
        context={"status": status, "message": message},
        status=status,
    )


class PublicRoute(APIRoute):
    """Refusals of public pages in the brand's layout; a 404 says nothing about why."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFound:
                return _refusal(request, 404, i18n.gettext("This page does not exist."))
            except Throttled as exc:
                response = _refusal(request, 429, i18n.gettext(exc.message))
                response.headers["Retry-After"] = str(exc.retry_after_seconds)
                return response
            except KefuError as exc:
                return _refusal(request, exc.status, exc.message)
            except RequestValidationError as exc:
                return _refusal(request, 422, describe_validation(list(exc.errors())))

        return handle
