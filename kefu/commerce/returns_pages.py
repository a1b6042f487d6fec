"""The returns dashboard page for managers: charts with the same numbers as tables."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.commerce import stores
from kefu.commerce.reasons import reason_label
from kefu.commerce.returns_report import (
    AGE_BUCKETS,
    STATE_LABELS,
    ReturnsFilter,
    returns_dashboard,
)
from kefu.kit.i18n import gettext as _
from kefu.kit.money import to_major
from kefu.permissions import require
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()


def _day(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


def chart_data(dashboard: Any) -> dict[str, Any]:
    """What the charts draw, with labels already in the reader's language."""
    currency = next(iter(dashboard.refunded_total), "")
    return {
        "ages": [_(label) for label, _low, _high in AGE_BUCKETS],
        "states": [
            {"label": _(STATE_LABELS[state]), "counts": counts}
            for state, counts in dashboard.open_by_state.items()
        ],
        "reasons": {
            "labels": [reason_label(r) if r else _("No reason") for r, _count in dashboard.reasons],
            "counts": [count for _reason, count in dashboard.reasons],
        },
        "refunds": {
            "label": _("Refunded (%(currency)s)", currency=currency),
            "labels": [
                reason_label(a.label) if a.label else _("No reason")
                for a in dashboard.refunds_by_reason
                if a.currency == currency
            ],
            "amounts": [
                float(to_major(a.amount_minor, a.currency))
                for a in dashboard.refunds_by_reason
                if a.currency == currency
            ],
        },
    }


@router.get("/reports/returns", response_class=HTMLResponse)
def returns_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    start: str | None = None,
    end: str | None = None,
    store: str | None = None,
) -> Response:
    require(actor, "reports.read")
    now = request.app.state.runtime.clock()
    store_id = int(store) if store and store.isdigit() else None
    zone = stores.get_store(session, store_id).time_zone if store_id else "UTC"
    last = _day(end, now.date())
    spec = ReturnsFilter(
        start=_day(start, last - timedelta(days=29)), end=last, store_id=store_id, time_zone=zone
    )
    dashboard = returns_dashboard(session, actor=actor, spec=spec, now=now)
    context = {
        "d": dashboard,
        "spec": spec,
        "stores": stores.list_stores(session),
        "ages": [label for label, _low, _high in AGE_BUCKETS],
        "state_labels": STATE_LABELS,
        "chart": chart_data(dashboard),
        "reason_label": reason_label,
    }
    return render(request, "commerce/returns_dashboard.html", context)
