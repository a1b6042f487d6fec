"""The Webhooks tab's forms: add or change an endpoint, delete it, retry a failed delivery."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from kefu.automation.rules import service, webhooks
from kefu.automation.rules.pages import webhook_context
from kefu.config import secret_key
from kefu.errors import KefuError, refusal_message
from kefu.kit.clock import utcnow
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.web import flash
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.forms import Form, optional_int, text
from kefu.web.templating import render

router = APIRouter()
TAB = "/admin/rules?tab=webhooks"


@router.post("/admin/rules/webhooks", dependencies=[CsrfProtected])
def save_webhook(request: Request, session: DbSession, actor: PageActor, form: Form) -> Response:
    require(actor, "rules.manage")
    webhook_id = optional_int(form, "webhook_id")
    values = {
        "name": text(form, "name"),
        "url": text(form, "url"),
        "secret": text(form, "secret") or None,
        "is_active": text(form, "is_active") == "1",
    }
    try:
        data = webhooks.WebhookIn.model_validate(values)
        key = secret_key(request.app.state.runtime.settings)
        with session.begin_nested():
            hook = webhooks.save_webhook(
                session, actor=actor, data=data, key=key, webhook_id=webhook_id
            )
    except (ValidationError, KefuError) as exc:
        context = webhook_context(
            session,
            secret_key(request.app.state.runtime.settings),
            tab="webhooks",
            error=refusal_message(exc),
            edited={**values, "webhook_id": webhook_id},
        )
        return render(request, "rules/index.html", context, status=422)
    return flash.redirect(TAB, _("Webhook “%(name)s” saved.", name=hook.name))


@router.post("/admin/rules/webhooks/{webhook_id}/delete", dependencies=[CsrfProtected])
def delete_webhook(webhook_id: int, session: DbSession, actor: PageActor) -> Response:
    require(actor, "rules.manage")
    used_by = [
        rule.name
        for kind in ("trigger", "automation")
        for rule in service.list_rules(session, kind=kind)
        if any(a.get("webhook_id") == webhook_id for a in rule.actions)
    ]
    try:
        with session.begin_nested():
            webhooks.delete_webhook(session, actor=actor, webhook_id=webhook_id, used_by=used_by)
    except KefuError as exc:
        return flash.redirect(TAB, refusal_message(exc), "error")
    return flash.redirect(TAB, _("Webhook deleted."))


@router.post("/admin/rules/deliveries/{delivery_id}/retry", dependencies=[CsrfProtected])
def retry_delivery(delivery_id: int, session: DbSession, actor: PageActor) -> Response:
    webhooks.retry_delivery(session, actor=actor, delivery_id=delivery_id, now=utcnow())
    return flash.redirect(TAB, _("The delivery will be tried again within a minute."))
