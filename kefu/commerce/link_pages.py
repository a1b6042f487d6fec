"""Attaching a ticket to an order from the ticket page (HTML form posts)."""

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError

from kefu.commerce import links
from kefu.errors import KefuError, refusal_message
from kefu.kit.i18n import gettext as _
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect

router = APIRouter()


class AttachForm(BaseModel):
    order_id: int | None = Field(default=None, ge=1)
    number: str = Field(default="", max_length=64)


@router.post("/tickets/{ticket_id}/orders", dependencies=[CsrfProtected])
def attach(session: DbSession, actor: PageActor, ticket_id: int, form: forms.Form) -> Response:
    try:
        data = AttachForm(order_id=form.get("order_id") or None, number=form.get("number") or "")
        with session.begin_nested():
            order = links.attach_order(
                session,
                actor=actor,
                ticket_id=ticket_id,
                order_id=data.order_id,
                number=data.number,
            )
    except (ValidationError, KefuError) as exc:
        return redirect(f"/tickets/{ticket_id}#orders-panel", refusal_message(exc), "error")
    message = _("Order #%(number)s is attached to this ticket.", number=order.number)
    return redirect(f"/tickets/{ticket_id}#orders-panel", message)


@router.post("/tickets/{ticket_id}/orders/{order_id}/detach", dependencies=[CsrfProtected])
def detach(session: DbSession, actor: PageActor, ticket_id: int, order_id: int) -> Response:
    try:
        with session.begin_nested():
            links.detach_order(session, actor=actor, ticket_id=ticket_id, order_id=order_id)
    except KefuError as exc:
        return redirect(f"/tickets/{ticket_id}#orders-panel", refusal_message(exc), "error")
    return redirect(f"/tickets/{ticket_id}#orders-panel", _("The order is detached."))
