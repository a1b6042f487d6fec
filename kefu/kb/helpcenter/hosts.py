"""Serving a brand's help center at / on its own host name (help.example.com): requests for
such a host are routed to /help/<slug>/… (static files excepted), so the agent pages are not
reachable there. The sites' directory is loaded before a request, in its own short unit of
work in a worker thread (never on the event loop: on SQLite it waits its turn to begin, and the
request holding the turn may need the loop to finish), and kept per process and database for a
few seconds; saving the settings clears this process's copy at once. Code that has no session
of its own to spare (the kb's link builder: on SQLite a second session would wait for the
request's write lock) reads the kept copy."""

from __future__ import annotations

import time
import weakref
from typing import Any

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from kefu.kb.helpcenter import sites
from kefu.kb.helpcenter.render import HOST_SCOPE_KEY

CACHE_SECONDS = 10.0
PASS_THROUGH = ("/static/", "/healthz", "/help/")


# by the Database object itself (weakly): a new database never inherits an old one's copy
_kept: weakref.WeakKeyDictionary[Any, tuple[float, sites.Directory]] = weakref.WeakKeyDictionary()


def forget_hosts(app: Any) -> None:
    _kept.pop(app.state.runtime.database, None)


def _fresh(database: Any) -> sites.Directory | None:
    kept = _kept.get(database)
    return kept[1] if kept is not None and kept[0] > time.monotonic() else None


def load_directory(database: Any) -> sites.Directory:
    """The kept directory of this database, loaded again once it is a few seconds old."""
    found = _fresh(database)
    if found is not None:
        return found
    with database.unit_of_work() as session:
        found = sites.directory(session)
    _kept[database] = (time.monotonic() + CACHE_SECONDS, found)
    return found


def kept_directory(database: Any) -> sites.Directory | None:
    kept = _kept.get(database)
    return kept[1] if kept is not None else None


async def _hosts(app: Any) -> dict[str, str]:
    database = app.state.runtime.database
    found = _fresh(database) or await anyio.to_thread.run_sync(load_directory, database)
    return found.hosts


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
            slug = (await _hosts(scope["app"])).get(host) if host and "app" in scope else None
            if slug is not None:
                path = f"/help/{slug}{scope['path'] if scope['path'] != '/' else '/'}"
                scope = {**scope, "path": path, "raw_path": path.encode(), HOST_SCOPE_KEY: slug}
        await self.app(scope, receive, send)
