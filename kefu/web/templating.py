"""Jinja2 set-up: template folders of every domain, i18n, filters, and the one render()."""

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from kefu import __version__
from kefu.config import LANGUAGES, secret_key
from kefu.domains import DOMAINS
from kefu.kit import i18n
from kefu.kit.money import format_money
from kefu.permissions import ROLE_LABELS, can
from kefu.tickets.sla_due import sla_badge
from kefu.web import csrf, flash
from kefu.web.settings_sections import visible_sections

KEFU_DIR = Path(__file__).resolve().parent.parent
LANG_COOKIE = "kefu_lang"


def make_templates() -> Jinja2Templates:
    folders = [KEFU_DIR / "web" / "templates"] + [
        KEFU_DIR / domain.replace(".", "/") / "templates" for domain in DOMAINS
    ]
    env = Environment(
        loader=FileSystemLoader([str(f) for f in folders if f.is_dir()]),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message, **kw: i18n.gettext(message, **kw),
        ngettext=lambda s, p, n, **kw: i18n.ngettext(s, p, n, **kw),
        newstyle=True,
    )
    env.globals.update(
        LANGUAGES=LANGUAGES,
        version=__version__,
        role_label=lambda role: i18n.gettext(ROLE_LABELS.get(role, role)),
        can=can,
        settings_sections=visible_sections,
    )
    env.filters["dt"] = i18n.format_datetime
    env.filters["ago"] = i18n.format_ago
    env.filters["filesize"] = filesize
    env.filters["money"] = format_money
    env.filters["sla_badge"] = sla_badge
    return Jinja2Templates(env=env)


def filesize(size: int) -> str:
    """1536 -> "1.5 KB": attachment sizes at a glance."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def language_for(request: Request) -> str:
    """The agent's own choice, else the language cookie, else the browser's, else the default."""
    settings = request.app.state.runtime.settings
    agent = getattr(request.state, "agent", None)
    if agent is not None and agent.language in LANGUAGES:
        return str(agent.language)
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    return i18n.negotiate(request.headers.get("accept-language"), settings.default_language)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    settings = request.app.state.runtime.settings
    language = language_for(request)
    i18n.current_language.set(language)
    agent = getattr(request.state, "agent", None)
    i18n.current_time_zone.set(
        (agent.time_zone if agent is not None else None) or settings.time_zone
    )
    # A redirect's one-shot message is shown by the next full page (not by an HTMX fragment).
    is_fragment = request.headers.get("hx-request") == "true"
    pending = [] if is_fragment else flash.peek(request)
    full_context = {
        "flashes": pending,
        "agent": agent,
        "actor": getattr(request.state, "actor", None),
        "language": language,
        "html_lang": "zh-Hans" if language == "zh_Hans" else "en",
        "csrf_token": csrf.token_for(request, secret_key(settings)),
        "now": request.app.state.runtime.clock(),  # the runtime's: tests move it
        **(context or {}),
    }
    response = request.app.state.templates.TemplateResponse(
        request, template, full_context, status_code=status
    )
    csrf.set_cookie_if_new(request, response, secure=settings.uses_secure_cookies)
    if pending:
        flash.clear(response)
    return response
