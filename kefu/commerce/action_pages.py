"""The action forms beside a ticket (HTMX fragments): the form with its live policy
checks, the submit that answers inline with the result or the refusal, the order's actions."""

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kefu.commerce import orders
from kefu.commerce.action_forms import form_values, request_values
from kefu.commerce.action_schemas import KEY_PATTERN, ActionKind
from kefu.commerce.actions import (
    ActionRefused,
    approvals,
    new_key,
    parse_request,
    perform,
    preview,
    return_states,
    stored_checks,
)
from kefu.commerce.actions.record import kind_label
from kefu.commerce.connectors import ConnectorRejected, ConnectorUnavailable
from kefu.commerce.facts import facts_for, item_label
from kefu.commerce.reasons import reason_choices, reason_label
from kefu.errors import InvalidInput, KefuError, refusal_message
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.kit.money import exponent
from kefu.permissions import require
from kefu.tickets import messages
from kefu.tickets import service as tickets
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.templating import language_for, render

router = APIRouter()
KINDS = [kind.value for kind in ActionKind]
BASE = "/tickets/{ticket_id}/orders/{order_id}/actions"


def _speak(request: Request) -> None:
    """Checks are worded when they are made: in the agent's language."""
    i18n.current_language.set(language_for(request))


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"no action {kind!r}")
    return kind


def _photos(session: Session, ticket_id: int) -> list[Any]:
    found = messages.list_messages(session, ticket_id)
    files = messages.attachments_of(session, [m.id for m in found])
    return [a for m in found for a in files[m.id]]


def _form_context(
    session: Session,
    actor: Actor,
    *,
    ticket_id: int,
    order_id: int,
    kind: str,
    key: str,
    form: FormData | None = None,
    checks: list[Any] | None = None,
    error: str = "",
) -> dict[str, Any]:
    require(actor, "orders.act")
    tickets.get_ticket(session, ticket_id)
    order = orders.get_order(session, order_id)
    facts = facts_for(session, order)
    return {
        "kind": kind,
        "kind_label": kind_label(kind),
        "order": order,
        "items": list(facts.items.values()),
        "item_label": item_label,
        "ticket_id": ticket_id,
        "key": key,
        "values": form_values(form),
        "is_new": form is None,
        "checks": checks,
        "error": error,
        "reasons": reason_choices(),
        "photos": _photos(session, ticket_id) if kind == "return" else [],
        "step": 10 ** -exponent(order.currency) if exponent(order.currency) else 1,
        "shipping_left": facts.shipping_left_minor,
        "refundable": facts.refundable_minor,
    }


@router.get(BASE + "/{kind}", response_class=HTMLResponse)
def action_form(
    request: Request, session: DbSession, actor: PageActor, ticket_id: int, order_id: int, kind: str
) -> Response:
    """A fresh form, with the key that makes its submit act once."""
    _speak(request)
    context = _form_context(
        session, actor, ticket_id=ticket_id, order_id=order_id, kind=_kind(kind), key=new_key()
    )
    return render(request, "commerce/_action_form.html", context)


def _parsed(session: Session, kind: str, form: FormData, order_id: int, ticket_id: int) -> Any:
    facts = facts_for(session, orders.get_order(session, order_id))
    try:
        values = request_values(kind, form, facts, ticket_id)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    return parse_request(kind, values)


@router.post(BASE + "/{kind}/checks", response_class=HTMLResponse, dependencies=[CsrfProtected])
def action_checks(
    request: Request,
    session: DbSession,
    actor: PageActor,
    ticket_id: int,
    order_id: int,
    kind: str,
    form: forms.Form,
) -> Response:
    """The policy checks for what the form says now (nothing is written)."""
    _speak(request)
    context: dict[str, Any] = {"checks": None, "hint": ""}
    try:
        data = _parsed(session, _kind(kind), form, order_id, ticket_id)
        evaluation = preview(
            session,
            actor=actor,
            order_id=order_id,
            kind=kind,
            data=data,
            now=request.app.state.runtime.clock(),
        )
        context["checks"] = evaluation.checks
    except KefuError as exc:
        context["hint"] = exc.message.replace("Value error, ", "")
    return render(request, "commerce/_action_checks.html", context)


@router.post(BASE + "/{kind}", response_class=HTMLResponse, dependencies=[CsrfProtected])
def submit_action(
    request: Request,
    session: DbSession,
    actor: PageActor,
    ticket_id: int,
    order_id: int,
    kind: str,
    form: forms.Form,
) -> Response:
    """Do the action; the answer replaces the form: its result, or the form as the agent
    left it with the reason it was refused (the store's own words when the store said no)."""
    _speak(request)
    kind = _kind(kind)
    key = forms.text(form, "idempotency_key")
    if not re.match(KEY_PATTERN, key):
        key = new_key()
    checks = None
    try:
        data = _parsed(session, kind, form, order_id, ticket_id)
        outcome = perform(
            session,
            actor=actor,
            order_id=order_id,
            kind=kind,
            data=data,
            idempotency_key=key,
            now=request.app.state.runtime.clock(),
        )
    except (ConnectorRejected, ConnectorUnavailable) as exc:
        error = i18n.gettext("The store refused: %(reason)s", reason=exc.message)
    except ActionRefused as exc:
        error, checks = exc.message, exc.checks
    except KefuError as exc:
        error = refusal_message(exc).replace("Value error, ", "")
    else:
        context = {
            "action": outcome.action,
            "checks": outcome.checks,
            "replayed": outcome.replayed,
            "kind_label": kind_label(kind),
            "ticket_id": ticket_id,
            "order_id": order_id,
        }
        response = render(request, "commerce/_action_result.html", context)
        response.headers["HX-Trigger"] = "kefu:order-actions-changed"
        return response
    context = _form_context(
        session,
        actor,
        ticket_id=ticket_id,
        order_id=order_id,
        kind=kind,
        key=key,
        form=form,
        checks=checks,
        error=error,
    )
    return render(request, "commerce/_action_form.html", context)


def _list_context(
    session: Session, actor: Actor, ticket_id: int, order_id: int, error: str = ""
) -> dict[str, Any]:
    require(actor, "orders.act")
    tickets.get_ticket(session, ticket_id)
    recent = approvals.actions_of_order(session, order_id, limit=10)
    returns = return_states.returns_of_order(session, order_id)
    return {
        "currency": orders.get_order(session, order_id).currency,
        "actions": [(a, stored_checks(a)) for a in recent],
        "returns": returns,
        "next_states": {r.id: return_states.next_states(r) for r in returns},
        "state_labels": return_states.STATE_LABELS,
        "reason_label": reason_label,
        "kind_label": kind_label,
        "ticket_id": ticket_id,
        "order_id": order_id,
        "error": error,
    }


@router.get(BASE, response_class=HTMLResponse)
def order_actions(
    request: Request, session: DbSession, actor: PageActor, ticket_id: int, order_id: int
) -> Response:
    """The order's actions (waiting, denied, done, failed) and its returns, newest first."""
    context = _list_context(session, actor, ticket_id, order_id)
    return render(request, "commerce/_order_action_list.html", context)


@router.post(
    "/tickets/{ticket_id}/orders/{order_id}/returns/{return_id}/state",
    response_class=HTMLResponse,
    dependencies=[CsrfProtected],
)
def move_return(
    request: Request,
    session: DbSession,
    actor: PageActor,
    ticket_id: int,
    order_id: int,
    return_id: int,
    form: forms.Form,
) -> Response:
    """A return moves on (received, refunded, rejected ...); the list answers."""
    _speak(request)
    error = ""
    try:
        with session.begin_nested():
            return_states.transition_return(
                session,
                actor=actor,
                return_id=return_id,
                state=forms.text(form, "state"),
                reason=forms.text(form, "reason"),
                now=request.app.state.runtime.clock(),
            )
    except (ConnectorRejected, ConnectorUnavailable) as exc:
        error = i18n.gettext("The store refused: %(reason)s", reason=exc.message)
    except KefuError as exc:
        error = refusal_message(exc)
    context = _list_context(session, actor, ticket_id, order_id, error=error)
    return render(request, "commerce/_order_action_list.html", context)
