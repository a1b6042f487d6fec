"""The assistant's JSON API (POST /helpcenter/assistant/messages: the help-center chat box,
and later the chat widget) and its report page (/reports/assistant)."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from pydantic import BaseModel, ConfigDict, Field

from kefu.ai import switches
from kefu.ai.assistant import report, service
from kefu.errors import InvalidInput, NotFound, Throttled
from kefu.kb.helpcenter import sites
from kefu.kb.helpcenter.render import set_language
from kefu.kb.helpcenter.throttle import TOO_MANY, client_address
from kefu.kit.i18n import N_, gettext
from kefu.permissions import require
from kefu.web.deps import DbSession, PageActor, api_csrf
from kefu.web.templating import render

router = APIRouter()
RATE = "30/minute"
PERIODS = (7, 30, 90)


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site: str = Field(min_length=1, max_length=60, description="the help center's slug")
    language: str = Field(min_length=2, max_length=10, description="en or zh-CN")
    conversation: str | None = Field(default=None, max_length=64)
    message: str = Field(min_length=1, max_length=service.MAX_TEXT)


def _limit(request: Request) -> None:
    state = request.app.state
    limiter = getattr(state, "assistant_limiter", None)
    if limiter is None:
        storage = storage_from_string(state.runtime.settings.redis_url or "memory://")
        limiter = state.assistant_limiter = MovingWindowRateLimiter(storage)
    item, address = parse(RATE), client_address(request)
    if not limiter.hit(item, "kefu-assistant", address):
        reset = limiter.get_window_stats(item, "kefu-assistant", address).reset_time
        raise Throttled(gettext(TOO_MANY), retry_after_seconds=max(1, int(reset - time.time()) + 1))


# api_csrf: a visitor who is also a signed-in agent sends the page's CSRF header (the box
# does); an anonymous visitor or the chat widget on another origin has no session to abuse
@router.post("/helpcenter/assistant/messages", dependencies=[Depends(api_csrf)])
def post_message(request: Request, session: DbSession, data: MessageIn) -> dict[str, object]:
    """The visitor's message and the assistant's replies; keep `conversation` for the next."""
    _limit(request)
    site = sites.public_site(session, slug=data.site)
    if not switches.is_on(session, "assistant"):
        raise NotFound(gettext(N_("The assistant is switched off.")))
    if data.language not in site.languages:
        raise NotFound(gettext(N_("this help center has no pages in that language")))
    set_language(data.language)
    if not data.message.strip():
        raise InvalidInput(gettext(N_("Write a message first.")))
    exchange = service.answer(
        session, site=site, language=data.language, token=data.conversation, text=data.message,
        base=f"/help/{site.slug}", now=request.app.state.runtime.clock(),
    )  # fmt: skip
    return {
        "conversation": exchange.token,
        "status": exchange.status,
        "replies": [
            {
                "kind": reply.kind,
                "body": reply.body,
                "article": {"title": reply.article_title, "url": reply.article_url}
                if reply.article_url
                else None,
            }
            for reply in exchange.replies
        ],
    }


@router.get("/helpcenter/assistant/config")
def config(session: DbSession) -> dict[str, bool]:
    """Whether the help-center box shows (an admin may switch the assistant off)."""
    return {"on": switches.is_on(session, "assistant")}


@router.get("/reports/assistant", response_class=HTMLResponse)
def assistant_report(
    request: Request, session: DbSession, actor: PageActor, days: int = 30
) -> Response:
    require(actor, "reports.read")
    if days not in PERIODS:
        raise InvalidInput(gettext(N_("Choose a period of 7, 30 or 90 days.")))
    now = request.app.state.runtime.clock()
    since = now - timedelta(days=days)
    found = report.assistant_report(session, since=since, until=now)
    surfaces = {
        surface: report.assistant_report(session, since=since, until=now, surface=surface)
        for surface in report.SURFACES
    }
    context = {"report": found, "surfaces": surfaces, "days": days, "periods": PERIODS}
    return render(request, "assistant/report.html", context)
