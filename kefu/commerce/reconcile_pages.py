"""Monthly carrier reconciliation pages (物流对账): upload an invoice, read the findings,
download them as XLSX. For managers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.commerce import carriers, reconcile, stores
from kefu.commerce.reconcile_xlsx import workbook_bytes
from kefu.errors import KefuError, refusal_message
from kefu.kit.i18n import gettext as _
from kefu.kit.money import to_minor
from kefu.permissions import require
from kefu.web import flash
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.forms import Form, files, optional_int, text
from kefu.web.templating import render

router = APIRouter()
BASE = "/admin/logistics/reconciliations"
MAX_INVOICE_BYTES = 20_000_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_page(
    request: Request, session: Any, actor: Any, *, error: str | None = None, status: int = 200
) -> Response:
    default_currency = next((s.currency for s in stores.list_stores(session)), "CNY")
    context = {
        "reconciliations": reconcile.list_reconciliations(session, actor=actor),
        "carriers": carriers.list_carriers(session),
        "names": {c.id: c.name for c in carriers.list_carriers(session)},
        "default_currency": default_currency,
        "month": request.app.state.runtime.clock().strftime("%Y-%m"),
        "error": error,
    }
    return render(request, "commerce/reconciliations.html", context, status=status)


@router.get(BASE, response_class=HTMLResponse)
def reconciliations_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, "reports.read")
    return _list_page(request, session, actor)


@router.post(BASE, dependencies=[CsrfProtected])
async def upload_invoice(
    request: Request, session: DbSession, actor: PageActor, form: Form
) -> Response:
    require(actor, "reports.read")
    uploads = files(form, "file")
    carrier_id = optional_int(form, "carrier_id")
    if not uploads or carrier_id is None:
        return _list_page(
            request, session, actor, error=_("Choose a carrier and the invoice CSV."), status=422
        )
    data = await uploads[0].read(MAX_INVOICE_BYTES + 1)
    if len(data) > MAX_INVOICE_BYTES:
        return _list_page(request, session, actor, error=_("The file is over 20 MB."), status=413)
    currency = text(form, "currency") or "CNY"
    try:
        tolerance = reconcile.Tolerance(
            weight_grams=int(text(form, "weight_tolerance_grams") or 100),
            fee_minor=to_minor(text(form, "fee_tolerance") or "0", currency.upper()),
        )
        with session.begin_nested():
            made = reconcile.reconcile_invoice(
                session,
                actor=actor,
                carrier_id=carrier_id,
                month=text(form, "month"),
                data=data,
                file_name=uploads[0].filename or "",
                currency=currency,
                tolerance=tolerance,
            )
    except (KefuError, ValueError, ArithmeticError) as exc:
        message = refusal_message(exc) if isinstance(exc, KefuError) else _("Check the numbers.")
        return _list_page(request, session, actor, error=message, status=422)
    return flash.redirect(f"{BASE}/{made.id}", _("Invoice checked."))


@router.get(BASE + "/{reconciliation_id}", response_class=HTMLResponse)
def reconciliation_page(
    reconciliation_id: int, request: Request, session: DbSession, actor: PageActor
) -> Response:
    found = reconcile.get_reconciliation(session, actor=actor, reconciliation_id=reconciliation_id)
    context = {
        "r": found,
        "carrier": carriers.get_carrier(session, found.carrier_id),
        "kinds": reconcile.KINDS,
        "currency": (found.summary or {}).get("currency", "CNY"),
    }
    return render(request, "commerce/reconciliation.html", context)


@router.get(BASE + "/{reconciliation_id}/export.xlsx")
def reconciliation_xlsx(reconciliation_id: int, session: DbSession, actor: PageActor) -> Response:
    found = reconcile.get_reconciliation(session, actor=actor, reconciliation_id=reconciliation_id)
    carrier = carriers.get_carrier(session, found.carrier_id)
    name = f"reconciliation-{carrier.code}-{found.month}-{found.id}.xlsx"
    return Response(
        workbook_bytes(found, carrier),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
