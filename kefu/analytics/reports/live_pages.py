"""The live view: what the queue looks like now, refreshed by HTMX polling every 30 s."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.analytics.reports.live import AGE_BUCKETS, live_figures
from kefu.automation.assignment.schemas import STATUS_LABELS as AGENT_STATUS_LABELS
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.tickets.schemas import STATUS_LABELS
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()
REFRESH_SECONDS = 30


def _context(request: Request, session: DbSession, actor: PageActor) -> dict[str, object]:
    require(actor, "reports.read")
    now = request.app.state.runtime.clock()
    return {
        "live": live_figures(session, actor=actor, now=now),
        "ages": [_(label) for label, _young, _old in AGE_BUCKETS],
        "status_labels": {k.value: _(v) for k, v in STATUS_LABELS.items()},
        "agent_status_labels": {k.value: _(v) for k, v in AGENT_STATUS_LABELS.items()},
        "refresh_seconds": REFRESH_SECONDS,
    }


@router.get("/reports/live", response_class=HTMLResponse)
def live_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    return render(request, "reports/live.html", _context(request, session, actor))


@router.get("/reports/live/panel", response_class=HTMLResponse)
def live_panel(request: Request, session: DbSession, actor: PageActor) -> Response:
    return render(request, "reports/_live_panel.html", _context(request, session, actor))
