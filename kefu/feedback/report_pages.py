"""The feedback report page: CSAT and response rate, NPS over time, recent comments."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.feedback import reports
from kefu.permissions import require
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()
PERIODS = (7, 30, 90, 365)


@router.get("/reports/feedback", response_class=HTMLResponse)
def feedback_report(
    request: Request, session: DbSession, actor: PageActor, days: int = 30
) -> Response:
    require(actor, "reports.read")
    days = days if days in PERIODS else 30
    until = request.app.state.runtime.clock()
    since = until - timedelta(days=days)
    months = reports.nps_by_month(session, since=until - timedelta(days=365), until=until)
    context = {
        "days": days,
        "periods": PERIODS,
        "csat": reports.csat_figures(session, since=since, until=until),
        "nps": reports.nps_figures(session, since=since, until=until),
        "months": months,
        "chart": {
            "labels": [m["month"] for m in months],
            "values": [m["nps"] for m in months],
            "label": "NPS",
        },
        "comments": reports.recent_comments(session),
    }
    return render(request, "feedback/report.html", context)
