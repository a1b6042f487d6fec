"""The Deliveries page (物流跟进): orders to chase, for agents."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.commerce import stores
from kefu.commerce.schemas import TRACKING_LABELS
from kefu.commerce.stuck import REASONS, StuckFilter, stuck_orders
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()


def _number(raw: str | None, default: int, *, most: int = 3650) -> int:
    return min(int(raw), most) if raw and raw.strip().isdigit() else default


@router.get("/deliveries", response_class=HTMLResponse)
def deliveries_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    store: str | None = None,
    reason: str | None = None,
    age: str | None = None,
    not_shipped_days: str | None = None,
    no_scan_days: str | None = None,
    page: str | None = None,
) -> Response:
    spec = StuckFilter(
        store_id=int(store) if store and store.isdigit() else None,
        reason=reason if reason in REASONS else None,
        min_age_days=_number(age, 0),
        not_shipped_days=_number(not_shipped_days, 2),
        no_scan_days=_number(no_scan_days, 3),
    )
    now = request.app.state.runtime.clock()
    result = stuck_orders(session, actor=actor, spec=spec, now=now, page=_number(page, 1))
    context = {
        "result": result,
        "spec": spec,
        "stores": stores.list_stores(session),
        "reasons": REASONS,
        "tracking_labels": TRACKING_LABELS,
    }
    return render(request, "commerce/deliveries.html", context)
