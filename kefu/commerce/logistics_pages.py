"""Logistics administration pages: the hub, carriers (list, add, edit) and the tracking CSV
upload."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from kefu.commerce import carriers
from kefu.commerce.models import Carrier
from kefu.commerce.tracking_feed import import_tracking_csv
from kefu.errors import KefuError, PermissionDenied, refusal_message
from kefu.kit.i18n import gettext as _
from kefu.permissions import can, require
from kefu.web import flash
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.forms import Form, files, text
from kefu.web.templating import render

router = APIRouter()
MAX_CSV_BYTES = 20_000_000
HUB_PERMISSIONS = ("settings.manage", "reports.read", "rules.manage")


@router.get("/admin/logistics", response_class=HTMLResponse)
def logistics_hub(request: Request, session: DbSession, actor: PageActor) -> Response:
    if not any(can(actor, p) for p in HUB_PERMISSIONS):
        raise PermissionDenied("your role does not allow this (reports.read)")
    context = {"carriers": carriers.list_carriers(session, include_inactive=False)}
    return render(request, "commerce/logistics_hub.html", context)


@router.post("/admin/logistics/tracking-import", dependencies=[CsrfProtected])
async def upload_tracking_csv(
    request: Request, session: DbSession, actor: PageActor, form: Form
) -> Response:
    require(actor, "settings.manage")
    uploads = files(form, "file")
    context: dict[str, Any] = {"carriers": carriers.list_carriers(session, include_inactive=False)}
    if not uploads:
        context["error"] = _("Choose a CSV file to import.")
        return render(request, "commerce/logistics_hub.html", context, status=422)
    data = await uploads[0].read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        context["error"] = _("The file is over 20 MB; split it and import the parts.")
        return render(request, "commerce/logistics_hub.html", context, status=413)
    try:
        with session.begin_nested():
            result = import_tracking_csv(
                session,
                data=data,
                time_zone=text(form, "time_zone") or "UTC",
                carrier_code=text(form, "carrier") or None,
            )
    except KefuError as exc:
        context["error"] = refusal_message(exc)
        return render(request, "commerce/logistics_hub.html", context, status=422)
    context.update(result=result, file_name=uploads[0].filename)
    return render(request, "commerce/logistics_hub.html", context)


def _form_page(
    request: Request,
    *,
    form: dict[str, Any],
    carrier: Carrier | None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {"form": form, "carrier": carrier, "error": error}
    return render(request, "commerce/carrier_form.html", context, status=status)


def _submitted(form: Any) -> dict[str, Any]:
    return {
        "code": text(form, "code"),
        "name": text(form, "name"),
        "tracking_url": text(form, "tracking_url"),
        "webhook_secret": text(form, "webhook_secret") or None,
        "is_active": text(form, "is_active") == "1",
    }


@router.get("/admin/carriers", response_class=HTMLResponse)
def carriers_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, "settings.manage")
    return render(request, "commerce/carriers.html", {"carriers": carriers.list_carriers(session)})


@router.get("/admin/carriers/new", response_class=HTMLResponse)
def new_carrier_page(request: Request, actor: PageActor) -> Response:
    require(actor, "settings.manage")
    return _form_page(request, form={"is_active": True}, carrier=None)


@router.post("/admin/carriers", dependencies=[CsrfProtected])
def create_carrier(request: Request, session: DbSession, actor: PageActor, form: Form) -> Response:
    require(actor, "settings.manage")
    values = _submitted(form)
    try:
        data = carriers.CarrierCreate.model_validate(values)
        with session.begin_nested():
            carriers.create_carrier(session, actor=actor, data=data)
    except (ValidationError, KefuError) as exc:
        shown = {k: v for k, v in values.items() if k != "webhook_secret"}
        return _form_page(request, form=shown, carrier=None, error=refusal_message(exc), status=422)
    return flash.redirect("/admin/carriers", _("Carrier saved."))


@router.get("/admin/carriers/{carrier_id}", response_class=HTMLResponse)
def carrier_page(
    carrier_id: int, request: Request, session: DbSession, actor: PageActor
) -> Response:
    require(actor, "settings.manage")
    carrier = carriers.get_carrier(session, carrier_id)
    form = {c: getattr(carrier, c) for c in ("code", "name", "tracking_url", "is_active")}
    return _form_page(request, form=form, carrier=carrier)


@router.post("/admin/carriers/{carrier_id}", dependencies=[CsrfProtected])
def update_carrier(
    carrier_id: int, request: Request, session: DbSession, actor: PageActor, form: Form
) -> Response:
    require(actor, "settings.manage")
    carrier = carriers.get_carrier(session, carrier_id)
    values = _submitted(form)
    values.pop("code")
    try:
        data = carriers.CarrierFields.model_validate(values)
        with session.begin_nested():
            carriers.update_carrier(
                session,
                actor=actor,
                carrier_id=carrier_id,
                data=data,
                clear_secret=text(form, "clear_secret") == "1",
            )
    except (ValidationError, KefuError) as exc:
        shown = {k: v for k, v in values.items() if k != "webhook_secret"}
        shown["code"] = carrier.code
        return _form_page(
            request, form=shown, carrier=carrier, error=refusal_message(exc), status=422
        )
    return flash.redirect("/admin/carriers", _("Carrier saved."))
