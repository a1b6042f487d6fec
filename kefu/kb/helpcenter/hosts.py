"""Serving a brand's help center at / on its own host name (help.example.com): requests for
such a host are routed to /help/<slug>/… (static files excepted), so the agent pages are not
reachable there. The host map is cached per process for a few seconds; saving the settings
clears this process's copy at once."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from kefu.kb.helpcenter import sites
from kefu.kb.helpcenter.render import HOST_SCOPE_KEY

CACHE_SECONDS = 10.0
PASS_THROUGH = ("/static/", "/healthz", "/help/")


def forget_hosts(app: Any) -> None:
    app.state.helpcenter_hosts = None


def _hosts(app: Any) -> dict[str, str]:
    cached = getattr(app.state, "helpcenter_hosts", None)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return dict(cached[1])
    with app.state.runtime.database.unit_of_work() as session:
        found = sites.host_map(session)
    app.state.helpcenter_hosts = (now + CACHE_SECONDS, found)
    return found


def _host_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"host":
            return value.decode("latin-1").rsplit(":", 1)[0].strip().lower().rstrip(".")
    return ""


class HelpCenterHosts:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(PASS_THROUGH):
            host = _host_of(scope)
            slug = _hosts(scope["app"]).get(host) if host and "app" in scope else None
            if slug is not None:
                path = f"/help/{slug}{scope['path'] if scope['path'] != '/' else '/'}"
                scope = {**scope, "path": path, "raw_path": path.encode(), HOST_SCOPE_KEY: slug}
        await self.app(scope, receive, send)
