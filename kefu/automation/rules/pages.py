"""Rules pages at /admin/rules: the Triggers, Automations and Webhooks tabs, the editor
(rows of conditions and actions added with HTMX, no JSON to write) and its test panel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.automation.rules import macro_link, service, webhooks
from kefu.automation.rules.actions import ACTION_LABELS
from kefu.automation.rules.conditions import OP_LABELS, field_catalogue
from kefu.automation.rules.page_forms import as_json, read_rule_form, typed_from_rule
from kefu.automation.rules.service import TRIGGER_EVENTS, RuleIn
from kefu.automation.rules.templates_catalog import AUTOMATION_TEMPLATES
from kefu.commerce import stores
from kefu.config import secret_key
from kefu.errors import KefuError, refusal_message
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.tickets.schemas import Priority, Status, TicketType
from kefu.web import flash
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.forms import Form, optional_int, text
from kefu.web.templating import render

router = APIRouter()
TABS = ("triggers", "automations", "webhooks")


def choices(session: Session, actor: Actor, kind: str) -> dict[str, Any]:
    """What the editor's selects offer."""
    fields = field_catalogue(session)
    return {
        "kind": kind,
        "fields": [f for f in fields.values() if not (f.triggers_only and kind != "trigger")],
        "field_map": fields,
        "custom_keys": [k.removeprefix("field.") for k in fields if k.startswith("field.")],
        "op_labels": OP_LABELS,
        "event_labels": TRIGGER_EVENTS,
        "action_labels": ACTION_LABELS,
        "statuses": [s.value for s in Status],
        "priorities": [p.value for p in Priority],
        "types": [t.value for t in TicketType],
        "teams": accounts.list_teams(session, actor=actor),
        "agents": [a for a in accounts.list_agents(session, actor=actor) if a.is_active],
        "stores": stores.list_stores(session),
        "webhooks": webhooks.list_webhooks(session),
        "macros": macro_link.shared_macros(session),
    }


def _kind(value: str | None) -> str:
    return "automation" if value == "automation" else "trigger"


@router.get("/admin/rules", response_class=HTMLResponse)
def rules_page(
    request: Request, session: DbSession, actor: PageActor, tab: str = "triggers"
) -> Response:
    require(actor, "rules.manage")
    tab = tab if tab in TABS else "triggers"
    context: dict[str, Any] = {"tab": tab, "event_labels": TRIGGER_EVENTS}
    if tab == "webhooks":
        context |= webhook_context(session, secret_key(request.app.state.runtime.settings))
    else:
        context["rules"] = service.list_rules(session, kind=tab.removesuffix("s"))
        context["templates"] = AUTOMATION_TEMPLATES
    return render(request, "rules/index.html", context)


def webhook_context(session: Session, key: str, **extra: Any) -> dict[str, Any]:
    hooks = webhooks.list_webhooks(session)
    shown = {}
    for hook in hooks:
        try:
            shown[hook.id] = webhooks.webhook_secret(hook, key=key)
        except KefuError:
            shown[hook.id] = None
    return {
        "webhooks": hooks,
        "secrets": shown,
        "deliveries": webhooks.recent_deliveries(session),
        "edited": {},
        **extra,
    }


def _editor(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    kind: str,
    rule_id: int | None,
    typed: dict[str, Any],
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        **choices(session, actor, kind),
        "rule_id": rule_id,
        "f": typed,
        "json_view": as_json(typed),
        "error": error,
        "runs": service.recent_runs(session, rule_id=rule_id) if rule_id else [],
    }
    return render(request, "rules/editor.html", context, status=status)


@router.get("/admin/rules/new", response_class=HTMLResponse)
def new_rule_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    kind: str = "trigger",
    template: str | None = None,
) -> Response:
    require(actor, "rules.manage")
    kind = _kind(kind)
    typed: dict[str, Any] = {"kind": kind, "name": "", "description": "", "events": []}
    typed |= {"is_active": False, "condition_rows": [], "action_rows": []}
    if kind == "automation" and template in AUTOMATION_TEMPLATES:
        chosen = AUTOMATION_TEMPLATES[template]
        draft = RuleIn.model_construct(
            kind="automation",
            name=_(chosen["name"]),
            description="",
            is_active=False,
            events=[],
            conditions=chosen["conditions"],
            actions=chosen["actions"],
        )
        typed = typed_from_rule(draft)
    return _editor(request, session, actor, kind=kind, rule_id=None, typed=typed)


@router.get("/admin/rules/row/{part}", response_class=HTMLResponse)
def rule_row(
    part: str, request: Request, session: DbSession, actor: PageActor, kind: str = "trigger"
) -> Response:
    """One condition or action row (HTMX): a new one, or one redrawn for the field or action
    type just chosen (its other inputs kept)."""
    require(actor, "rules.manage")
    params = request.query_params
    context = choices(session, actor, _kind(kind))
    if part == "condition":
        row = {k: params.get(k, "") for k in ("cond_group", "cond_field", "cond_op", "cond_value")}
        return render(request, "rules/_condition_row.html", {**context, "row": row})
    names = ("act_type", "act_value", "act_value2", "act_team", "act_agent", "act_text")
    row = {k: params.get(k, "") for k in (*names, "act_flag")}
    return render(request, "rules/_action_row.html", {**context, "row": row})


@router.get("/admin/rules/blank", response_class=HTMLResponse)
def blank(actor: PageActor) -> Response:
    """Nothing: what a removed row is swapped for."""
    return HTMLResponse("")


@router.get("/admin/rules/{rule_id}", response_class=HTMLResponse)
def edit_rule_page(
    rule_id: int, request: Request, session: DbSession, actor: PageActor
) -> Response:
    require(actor, "rules.manage")
    rule = service.get_rule(session, rule_id)
    typed = typed_from_rule(service.as_input(rule))
    return _editor(request, session, actor, kind=rule.kind, rule_id=rule.id, typed=typed)


@router.post("/admin/rules/save", dependencies=[CsrfProtected])
def save_rule(request: Request, session: DbSession, actor: PageActor, form: Form) -> Response:
    require(actor, "rules.manage")
    kind = _kind(text(form, "kind"))
    rule_id = optional_int(form, "rule_id")
    values, typed = read_rule_form(form, kind=kind)
    try:
        data = RuleIn.model_validate(values)
        with session.begin_nested():
            if rule_id is None:
                rule = service.create_rule(session, actor=actor, data=data)
            else:
                rule = service.update_rule(session, actor=actor, rule_id=rule_id, data=data)
    except (ValidationError, KefuError) as exc:
        return _editor(
            request,
            session,
            actor,
            kind=kind,
            rule_id=rule_id,
            typed=typed,
            error=refusal_message(exc),
            status=422,
        )
    return flash.redirect(f"/admin/rules?tab={kind}s", _("“%(name)s” saved.", name=rule.name))


@router.post("/admin/rules/try", dependencies=[CsrfProtected])
def try_rule(request: Request, session: DbSession, actor: PageActor, form: Form) -> Response:
    """The test panel (HTMX): would the rule as typed fire on ticket #N, and why."""
    require(actor, "rules.manage")
    kind = _kind(text(form, "kind"))
    values, _typed = read_rule_form(form, kind=kind)
    ticket_id = optional_int(form, "test_ticket_id")
    context: dict[str, Any] = {"ticket_id": ticket_id}
    try:
        if ticket_id is None:
            raise ValueError(_("Enter a ticket number to test against."))
        data = RuleIn.model_validate({**values, "name": values["name"] or "test"})
        event = text(form, "test_event") or None
        context["result"] = service.try_rule(
            session, actor=actor, data=data, ticket_id=ticket_id, event_type=event
        )
    except (ValidationError, KefuError, ValueError) as exc:
        context["error"] = refusal_message(exc)
    return render(request, "rules/_test_result.html", context)


@router.post("/admin/rules/{rule_id}/move", dependencies=[CsrfProtected])
def move_rule(rule_id: int, session: DbSession, actor: PageActor, form: Form) -> Response:
    rule = service.get_rule(session, rule_id)
    offset = -1 if text(form, "direction") == "up" else 1
    service.move_rule(session, actor=actor, rule_id=rule_id, offset=offset)
    return flash.redirect(f"/admin/rules?tab={rule.kind}s")


@router.post("/admin/rules/{rule_id}/active", dependencies=[CsrfProtected])
def set_active(rule_id: int, session: DbSession, actor: PageActor, form: Form) -> Response:
    on = text(form, "is_active") == "1"
    rule = service.set_active(session, actor=actor, rule_id=rule_id, is_active=on)
    message = (
        _("“%(name)s” is on.", name=rule.name) if on else _("“%(name)s” is off.", name=rule.name)
    )
    return flash.redirect(f"/admin/rules?tab={rule.kind}s", message)


@router.post("/admin/rules/{rule_id}/delete", dependencies=[CsrfProtected])
def delete_rule(rule_id: int, session: DbSession, actor: PageActor) -> Response:
    rule = service.get_rule(session, rule_id)
    kind, name = rule.kind, rule.name
    service.delete_rule(session, actor=actor, rule_id=rule_id)
    return flash.redirect(f"/admin/rules?tab={kind}s", _("“%(name)s” deleted.", name=name))
