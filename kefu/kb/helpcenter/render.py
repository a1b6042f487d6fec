"""Rendering a public help-center page: the language comes from the URL (never from a
signed-in agent), links are built under the site's base path (/help/<slug>, or nothing on
the brand's own host), and the visitor gets the CSRF cookie anonymous forms need."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from kefu.config import secret_key
from kefu.kb.helpcenter.schemas import LANGUAGE_LABELS, LANGUAGES
from kefu.kb.helpcenter.sites import SiteView
from kefu.kit import i18n
from kefu.web import csrf

HOST_SCOPE_KEY = "kefu.helpcenter_host"


def base_path(request: Request, site: SiteView) -> str:
    """Where the site's pages live for this request."""
    return "" if request.scope.get(HOST_SCOPE_KEY) == site.slug else f"/help/{site.slug}"


def set_language(language: str) -> None:
    i18n.current_language.set(LANGUAGES.get(language, "en"))


def render_public(
    request: Request,
    template: str,
    *,
    site: SiteView,
    language: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
    alternates: dict[str, str] | None = None,
) -> HTMLResponse:
    """`alternates`: URL language → this page in that language (the language switch)."""
    settings = request.app.state.runtime.settings
    set_language(language)
    base = base_path(request, site)
    home = f"{base}/{language}/"
    switch = {
        code: (alternates or {}).get(code, f"{base}/{code}/")
        for code in site.languages
        if code != language
    }
    full = {
        "site": site,
        "language": language,
        "html_lang": "zh-Hans" if language == "zh-CN" else "en",
        "base": base,
        "home": home,
        "lang_base": f"{base}/{language}",
        "language_labels": LANGUAGE_LABELS,
        "switch": switch,
        "csrf_token": csrf.token_for(request, secret_key(settings)),
        **(context or {}),
    }
    response = request.app.state.templates.TemplateResponse(
        request, template, full, status_code=status
    )
    csrf.set_cookie_if_new(request, response, secure=settings.uses_secure_cookies)
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response
