"""Store administration pages: the list, the new/edit form with the webhook addresses to paste
into Shopify or WooCommerce, and "Import orders now"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from kefu.commerce import stores, sync
from kefu.commerce.schemas import StoreCreate, StoreFields, StoreRead
from kefu.errors import KefuError, refusal_message
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.web import flash
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.forms import Form, text
from kefu.web.templating import render

router = APIRouter()

TEXT_FIELDS = ("name", "platform", "currency", "time_zone", "language", "base_url", "api_key")
SECRET_FIELDS = ("api_secret", "webhook_secret")
NEW_STORE = {"platform": "shopify", "currency": "USD", "time_zone": "UTC", "language": "en"}
PLATFORMS = ("shopify", "woocommerce", "embedded")


def webhook_url(request: Request, store: StoreRead) -> str | None:
    """Where the store's webhooks go, on kefu's public address (KEFU_BASE_URL)."""
    if store.platform not in ("shopify", "woocommerce"):
        return None
    base = request.app.state.runtime.settings.base_url.rstrip("/")
    return f"{base}/api/v1/webhooks/{store.platform}/{store.id}"


def _submitted(form: Any, *, is_new: bool) -> dict[str, Any]:
    """The form's values as the schemas take them: secrets only when typed (empty keeps)."""
    values: dict[str, Any] = {name: text(form, name) for name in TEXT_FIELDS}
    for secret in SECRET_FIELDS:
        if text(form, secret):
            values[secret] = text(form, secret)
    if not is_new:
        values["is_active"] = text(form, "is_active") == "1"
    # an emptied choice keeps what is stored; the base URL and API key may be cleared
    return {k: v for k, v in values.items() if v != "" or k in ("base_url", "api_key")}


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """What the form shows again after a refusal: never a secret."""
    return {k: v for k, v in values.items() if k not in SECRET_FIELDS}


def _form_page(
    request: Request,
    *,
    form: dict[str, Any],
    store: StoreRead | None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "form": form,
        "store": store,
        "error": error,
        "platforms": PLATFORMS,
        "webhook_url": webhook_url(request, store) if store else None,
    }
    return render(request, "commerce/store_form.html", context, status=status)


@router.get("/admin/stores", response_class=HTMLResponse)
def stores_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, "settings.manage")
    rows = [stores.store_read(s) for s in stores.list_stores(session)]
    return render(request, "commerce/stores.html", {"stores": rows})


@router.get("/admin/stores/new", response_class=HTMLResponse)
def new_store_page(request: Request, actor: PageActor) -> Response:
    require(actor, "settings.manage")
    return _form_page(request, form=dict(NEW_STORE), store=None)


@router.post("/admin/stores", dependencies=[CsrfProtected])
def create_store(request: Request, session: DbSession, actor: PageActor, form: Form) -> Response:
    require(actor, "settings.manage")
    values = _submitted(form, is_new=True)
    try:
        data = StoreCreate.model_validate(values)
        with session.begin_nested():
            created = stores.create_store(session, actor=actor, data=data)
    except (ValidationError, KefuError) as exc:
        return _form_page(
            request, form=_shown(values), store=None, error=refusal_message(exc), status=422
        )
    return flash.redirect(f"/admin/stores/{created.id}", _("Store saved."))


@router.get("/admin/stores/{store_id}", response_class=HTMLResponse)
def edit_store_page(
    request: Request, session: DbSession, actor: PageActor, store_id: int
) -> Response:
    require(actor, "settings.manage")
    shown = stores.store_read(stores.get_store(session, store_id))
    return _form_page(request, form=shown.model_dump(), store=shown)


@router.post("/admin/stores/{store_id}", dependencies=[CsrfProtected])
def update_store(
    request: Request, session: DbSession, actor: PageActor, store_id: int, form: Form
) -> Response:
    require(actor, "settings.manage")
    values = _submitted(form, is_new=False)
    try:
        data = StoreFields.model_validate(values)
        with session.begin_nested():
            stores.update_store(session, actor=actor, store_id=store_id, data=data)
    except (ValidationError, KefuError) as exc:
        shown = stores.store_read(stores.get_store(session, store_id))
        return _form_page(
            request, form=_shown(values), store=shown, error=refusal_message(exc), status=422
        )
    return flash.redirect(f"/admin/stores/{store_id}", _("Store saved."))


@router.post("/admin/stores/{store_id}/sync", dependencies=[CsrfProtected])
def import_orders_now(
    request: Request, session: DbSession, actor: PageActor, store_id: int
) -> Response:
    require(actor, "settings.manage")
    try:
        sync.queue_sync(session, actor=actor, store_id=store_id)
    except KefuError as exc:
        return flash.redirect(f"/admin/stores/{store_id}", exc.message, kind="error")
    return flash.redirect(
        f"/admin/stores/{store_id}",
        _("Import queued: orders changed since the last import are being fetched."),
    )
