"""Follow-up pages: managers edit each store's rules; customers unsubscribe without signing
in (GET asks, POST records, so a mail scanner opening the link changes nothing)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from kefu.commerce import stores
from kefu.commerce.followup_rules import KIND_HINTS, KINDS, FollowUpRuleIn, rules_of, save_rule
from kefu.commerce.unsubscribe import opt_out, read_token
from kefu.config import secret_key
from kefu.errors import KefuError, refusal_message
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.web import flash
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.forms import Form, text
from kefu.web.templating import render

router = APIRouter()


def _rules_page(
    request: Request,
    session: Any,
    store_id: int | None,
    *,
    error: str | None = None,
    edited: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    all_stores = stores.list_stores(session)
    store = next((s for s in all_stores if s.id == store_id), all_stores[0] if all_stores else None)
    rules = rules_of(session, store.id) if store else {}
    context = {
        "stores": all_stores,
        "store": store,
        "rules": rules,
        "kinds": KINDS,
        "hints": KIND_HINTS,
        "error": error,
        "edited": edited or {},
    }
    return render(request, "commerce/follow_up_rules.html", context, status=status)


@router.get("/admin/follow-ups", response_class=HTMLResponse)
def follow_up_rules_page(
    request: Request, session: DbSession, actor: PageActor, store: str | None = None
) -> Response:
    require(actor, "rules.manage")
    return _rules_page(request, session, int(store) if store and store.isdigit() else None)


@router.post("/admin/follow-ups/{store_id}/{kind}", dependencies=[CsrfProtected])
def save_follow_up_rule(
    store_id: int, kind: str, request: Request, session: DbSession, actor: PageActor, form: Form
) -> Response:
    require(actor, "rules.manage")
    values = {
        "is_enabled": text(form, "is_enabled") == "1",
        "delay_hours": text(form, "delay_hours") or "0",
        "daily_cap": text(form, "daily_cap") or "0",
        "subject": text(form, "subject"),
        "body": text(form, "body"),
    }
    try:
        data = FollowUpRuleIn.model_validate(values)
        with session.begin_nested():
            save_rule(session, actor=actor, store_id=store_id, kind=kind, data=data)
    except (ValidationError, KefuError) as exc:
        return _rules_page(
            request,
            session,
            store_id,
            error=refusal_message(exc),
            edited={"kind": kind, **values},
            status=422,
        )
    return flash.redirect(f"/admin/follow-ups?store={store_id}", _("Follow-up rule saved."))


def _unsubscribe_target(request: Request, session: Any, token: str) -> Any:
    found = read_token(token, key=secret_key(request.app.state.runtime.settings))
    if found is None:
        return None
    try:
        return found[0], stores.get_store(session, found[1])
    except KefuError:
        return None


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: str, request: Request, session: DbSession) -> Response:
    target = _unsubscribe_target(request, session, token)
    if target is None:
        return render(request, "commerce/unsubscribe.html", {"invalid": True}, status=404)
    return render(request, "commerce/unsubscribe.html", {"store": target[1], "token": token})


@router.post("/unsubscribe/{token}", dependencies=[CsrfProtected])
def unsubscribe(token: str, request: Request, session: DbSession) -> Response:
    target = _unsubscribe_target(request, session, token)
    if target is None:
        return render(request, "commerce/unsubscribe.html", {"invalid": True}, status=404)
    customer_id, store = target
    opt_out(session, customer_id=customer_id, store_id=store.id)
    return render(request, "commerce/unsubscribe.html", {"store": store, "done": True})
